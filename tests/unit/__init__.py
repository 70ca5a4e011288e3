"""The fast tier: everything in this process (Flask's test client, click's CliRunner, the engine and the build
in memory), no server process and no socket. A package, so that its modules may share a name with the system
tier's (unit.test_cli, system.test_cli)."""
