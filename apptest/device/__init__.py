"""Device control: a real phone over adb (adbutils, uiautomator), behind the `Device` protocol.

`base.Device` is what a scenario drives; `adb.AdbPhone` implements it for a phone, the
demo implements it for its stand-in app. `prepare.PhoneGuard` makes and undoes the
changes a run needs (proxy, reverse port, system CA); `identifiers` and `frida_server`
read what a run must know before it starts.
"""
