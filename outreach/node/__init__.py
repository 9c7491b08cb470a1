"""The village node: keeps the county's signed bundle on disk, plays it on its own clock, reports back.

- ``protocol``: topic names and message shapes both sides use;
- ``bundle``: the signed manifest and its verification (the county's public key only);
- ``holdings``: the bundle held on disk, its files, and the checks before a new one is taken;
- ``fetch``: where files come from (the county's content endpoint over HTTP, or a folder);
- ``outbox``: play reports and refusals, kept in SQLite until the county acknowledges them
  (``sqlite``: how the node's and the fleet's SQLite files are opened);
- ``link``: the MQTT connection (persistent session, last will, reconnect with back-off);
- ``service``: the node process, which plays through the daemon's own ``Player`` and outputs.

A node renders nothing: it imports no template, speech or print code (tests/node checks the imports).
"""
