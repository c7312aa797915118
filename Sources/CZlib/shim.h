// The system's zlib: gzip files read and written by the CSV reader and writer.
#include <zlib.h>
