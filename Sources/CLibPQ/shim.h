#ifndef STEADFAST_CLIBPQ_SHIM_H
#define STEADFAST_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
