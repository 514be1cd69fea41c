// VideoIO module. See ../../README.md for its place in the architecture.
