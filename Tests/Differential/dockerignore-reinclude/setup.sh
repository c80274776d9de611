# The kept file's parent directory goes with its own mode.
chmod 750 folder1
