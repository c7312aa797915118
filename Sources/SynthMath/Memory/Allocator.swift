#if canImport(Glibc)
import Glibc
#endif

/// How the C allocator hands memory back to the kernel.
public enum Allocator {
    /// Keeps freed memory in the process for reuse instead of returning it to the kernel at once.
    ///
    /// Training allocates and frees the same few hundred arrays of 0.1 to 3 MB on every step. By
    /// default glibc serves blocks that large with fresh `mmap` calls, or trims the heap's top
    /// when they are freed, so every step faults its pages in again and the kernel zeroes each
    /// one: a CTGAN step took about 1.1 times as long (`synthnn-bench --default-malloc`). With
    /// blocks up to 64 MiB taken from the heap and the heap trimmed only past 1 GiB free, the
    /// pages are reused. The resident size stays at the run's peak, which it reaches anyway.
    /// Called once by the `synthlab` executable at startup; does nothing where the C library has
    /// no `mallopt`.
    public static func keepFreedMemory() {
        #if canImport(Glibc)
        // glibc's <malloc.h>, which Swift's Glibc module does not include: int mallopt(int, int),
        // with M_TRIM_THRESHOLD = -1 and M_MMAP_THRESHOLD = -3.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-3, 64 << 20)
        _ = mallopt(-1, 1 << 30)
        #endif
    }
}
