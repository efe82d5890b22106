"""The card terminal host: ``tirelire nfc`` reads cards with nfcpy and sends signed taps.

See docs/nfc.md. Modules: :mod:`~hosts.nfc.command` (the commands), :mod:`~hosts.nfc.host`
(pairing, taps and their retries), :mod:`~hosts.nfc.client` (signed HTTP),
:mod:`~hosts.nfc.reader` (nfcpy), :mod:`~hosts.nfc.state` (the local state file),
:mod:`~hosts.nfc.emulate` (emulated cards on nfcpy's udp device), :mod:`~hosts.nfc.served` (a
real server process) and :mod:`~hosts.nfc.bench` (``tirelire bench nfc``).
"""
