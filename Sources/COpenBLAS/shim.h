// OpenBLAS (CBLAS) and LAPACKE from the system: libopenblas-dev and liblapacke-dev.
#include <cblas.h>
#include <lapacke.h>
