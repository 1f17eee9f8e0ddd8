"""A native TLS client (CPython's ssl module over OpenSSL's libssl): no Java, no proxy.

Prints "ready PID", waits for a line, fetches https://127.0.0.1:PORT/native-tls-probe
trusting CERT, prints "done STATUS" and waits for one more line.
"""

import os
import ssl
import sys
import urllib.request

port, cert = sys.argv[1], sys.argv[2]
print("ready", os.getpid(), flush=True)
sys.stdin.readline()
context = ssl.create_default_context(cafile=cert)
with urllib.request.urlopen(f"https://127.0.0.1:{port}/native-tls-probe", context=context) as response:
    print("done", response.status, flush=True)
sys.stdin.readline()
