// libedit (BSD editline): the line editor behind dosh's interactive input.
#include <histedit.h>
