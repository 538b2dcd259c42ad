// Patterns and pathname expansion live in their own small target so that the host side (the
// shadow process) can glob without the whole shell. The shell's code and its users see them as
// part of DoshShell.
@_exported import DoshPatterns
