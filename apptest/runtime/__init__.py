"""Runtime evidence: frida hooks on the sensitive Android APIs, attributed to the app or an SDK.

Static analysis says what code *could* do; this package records what it *did*: each call
of an API listed in profiles/taxonomy.yaml, with its arguments, outcome, Java stack, thread
and time, in the bundle's hooks.jsonl (raw) and observations.jsonl (who read what).

    agent/      the frida agent: TypeScript source, the built bundle that ships, its loader
    config.py   taxonomy -> the hook list posted to the agent
    events.py   agent event -> hook record, observation, learned identifier values (pure)
    clock.py    device clock offset (pure)
    recorder.py events -> bundle, thread-safe
    session.py  frida: devices, spawn/attach, child and spawn gating
    hook.py     `apptest hook`: run until duration, exit or signal, then seal
"""
