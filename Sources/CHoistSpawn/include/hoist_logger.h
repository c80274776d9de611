#ifndef HOIST_LOGGER_H
#define HOIST_LOGGER_H

/// Starts a logger in a session of its own (a grandchild of this process, so nothing here need
/// wait for it): it copies what arrives on the pipes `output_fd` and `error_fd` to the files
/// `output_file` and `error_file`, byte for byte, and after each piece appends the line
/// `STREAM END-OFFSET UNIX-NANOSECONDS\n` to `index_file` (STREAM 1 or 2, END-OFFSET the file's
/// size after the piece), and a record of the same offset when a stream ends; it ends once every
/// writer of both pipes has closed them. It keeps no
/// other descriptor open. Returns 0, or -1 with errno set when it cannot be started.
/// C because Swift must not run in a forked child (the process has other threads).
int hoist_start_logger(int output_fd, int error_fd, int output_file, int error_file, int index_file);

#endif
