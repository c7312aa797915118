// The system's libedit (BSD editline): the line editor and history of the REPL.
#include <stdio.h>
#include <histedit.h>
