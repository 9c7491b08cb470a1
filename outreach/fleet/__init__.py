"""The county side of the village nodes: bundles planned, rendered and signed here, sent over MQTT.

- ``paths``: the fleet's files under the state folder (key, secrets, database, content, broker files);
- ``broker``: Mosquitto's accounts and roles for the fleet (dynamic-security plugin) and a broker config;
- ``db``: nodes, bundles issued, node statuses, node play reports and refusals (SQLite);
- ``build``: the plan over the bundle horizon -> programmes rendered (the render worker) -> one draft per node;
- ``sign``: the county's Ed25519 key; issuing a draft as a signed bundle with the next sequence, if it changed;
- ``content``: the content store and its HTTP endpoint (``/content/<sha256>``, per-node tokens, Range);
- ``county``: the county's MQTT side: publishes bundles, stores statuses and reports, sends receipts;
- ``serve``: ``outreach fleet serve``, the process that re-plans like the daemon and runs the two above;
- ``provision``: ``outreach fleet add-node``; ``export``: bundles on a USB stick; ``status``: the fleet at a glance;
- ``records``: node plays as play-log rows, for ``outreach log`` and the monthly report.

Nodes (``outreach.node``) never import this package; this package reuses the node's
bundle model and MQTT link, so both ends speak the same format.
"""
