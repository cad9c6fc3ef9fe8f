/* The CLI's export command (export-cmd.c). */
#ifndef ATHLETE_EXPORT_CMD_H
#define ATHLETE_EXPORT_CMD_H

/* argv: the arguments after "export"; returns the process exit code (0, 1 or 2). */
int athlete_cli_export(int argc, char **argv);

#endif
