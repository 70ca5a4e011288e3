"""The real-process tier: `koryo-kg serve` processes (granian) on 127.0.0.1 and real sockets, the command as a
process, a browser, the installed wheel: what needs a process (worker replacement, memory watchdog, updates
across workers, slow sockets, fuzzing). A package, so that its modules may share a name with the unit tier's."""
