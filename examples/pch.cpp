// Compiles the precompiled header the examples share.
