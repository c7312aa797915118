import COpenBLAS
import Foundation

/// The element types BLAS and LAPACK work on: Float (s-routines) and Double (d-routines).
public protocol BLASScalar: BinaryFloatingPoint, Sendable {
    /// C = alpha · op(A) · op(B) + beta · C, row-major; op transposes when asked.
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Self,
                     _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int,
                     _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
    /// y = alpha · op(A) · x + beta · y, row-major.
    static func gemv(_ transA: Bool, _ m: Int, _ n: Int, _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int,
                     _ x: UnsafePointer<Self>, _ beta: Self, _ y: UnsafeMutablePointer<Self>)
    /// Cholesky factor in place (lower triangle, row-major); returns LAPACK's info.
    static func potrf(_ n: Int, _ a: UnsafeMutablePointer<Self>) -> Int32
    /// Eigenvalues (ascending) and eigenvectors (columns, in place) of a symmetric matrix.
    static func syevd(_ n: Int, _ a: UnsafeMutablePointer<Self>, _ w: UnsafeMutablePointer<Self>) -> Int32
}

@inline(__always) private func transpose(_ flag: Bool) -> CBLAS_TRANSPOSE { flag ? CblasTrans : CblasNoTrans }

extension Float: BLASScalar {
    public static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                            _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                            _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        _ = BLASKernels.pinned
        cblas_sgemm(CblasRowMajor, transpose(transA), transpose(transB), Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public static func gemv(_ transA: Bool, _ m: Int, _ n: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
                            _ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>) {
        _ = BLASKernels.pinned
        cblas_sgemv(CblasRowMajor, transpose(transA), Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    public static func potrf(_ n: Int, _ a: UnsafeMutablePointer<Float>) -> Int32 {
        _ = BLASKernels.pinned
        return LAPACKE_spotrf(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), a, Int32(n))
    }

    public static func syevd(_ n: Int, _ a: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>) -> Int32 {
        _ = BLASKernels.pinned
        return LAPACKE_ssyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "L")), Int32(n), a, Int32(n), w)
    }
}

extension Double: BLASScalar {
    public static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
                            _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
                            _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int) {
        _ = BLASKernels.pinned
        cblas_dgemm(CblasRowMajor, transpose(transA), transpose(transB), Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public static func gemv(_ transA: Bool, _ m: Int, _ n: Int, _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int,
                            _ x: UnsafePointer<Double>, _ beta: Double, _ y: UnsafeMutablePointer<Double>) {
        _ = BLASKernels.pinned
        cblas_dgemv(CblasRowMajor, transpose(transA), Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    public static func potrf(_ n: Int, _ a: UnsafeMutablePointer<Double>) -> Int32 {
        _ = BLASKernels.pinned
        return LAPACKE_dpotrf(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), a, Int32(n))
    }

    public static func syevd(_ n: Int, _ a: UnsafeMutablePointer<Double>, _ w: UnsafeMutablePointer<Double>) -> Int32 {
        _ = BLASKernels.pinned
        return LAPACKE_dsyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "L")), Int32(n), a, Int32(n), w)
    }
}

/// OpenBLAS chooses its kernels for the CPU it runs on, and kernels sum in different orders: the
/// same products differ in their last bits between an AVX-512 CPU and an AVX2 one, and a neural
/// generator's training then takes another course. On every x86-64 CPU with AVX2 and FMA, SynthLab
/// switches OpenBLAS (a DYNAMIC_ARCH build) to its Haswell kernels before the first product, so a
/// seed gives the same bytes on all of them, whichever machine or cluster node runs it. An
/// `OPENBLAS_CORETYPE` set by the user is left alone; so is a CPU without AVX2 or an OpenBLAS
/// built for one CPU.
public enum BLASKernels {
    /// The kernels OpenBLAS uses now (its core name, e.g. "Haswell").
    public static var name: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// Pins the kernels once per process (idempotent; every BLAS call in SynthMath reads it first).
    /// True when the Haswell kernels are in use.
    public static let pinned: Bool = pin()

    static func pin() -> Bool {
        #if arch(x86_64)
        if ProcessEnvironment.value("OPENBLAS_CORETYPE") != nil { return name == "Haswell" }
        guard cpuHasAVX2AndFMA() else { return false }
        if name == "Haswell" { return true }
        guard let program = dlopen(nil, RTLD_NOW),
              let quit = dlsym(program, "gotoblas_dynamic_quit"), let start = dlsym(program, "gotoblas_dynamic_init") else {
            return false
        }
        typealias Call = @convention(c) () -> Void
        // gotoblas_dynamic_init reads the core to use from the environment; worker processes
        // inherit it and start with these kernels.
        ProcessEnvironment.set("OPENBLAS_CORETYPE", "Haswell")
        unsafeBitCast(quit, to: Call.self)()
        unsafeBitCast(start, to: Call.self)()
        return name == "Haswell"
        #else
        return false
        #endif
    }

    /// True when this CPU has AVX2 and FMA (the Haswell kernels' instructions).
    public static func cpuHasAVX2AndFMA() -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let words = Set(flags.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }))
        return words.contains("avx2") && words.contains("fma")
    }
}

/// OpenBLAS's own thread count. The `synthlab` executable sets it to 1 at startup: with more
/// threads, large products are summed in another order and results change in the last bits.
public enum BLASThreads {
    public static var count: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}

/// A dense row-major matrix of Float or Double.
public struct Matrix<Scalar: BLASScalar>: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    public var storage: [Scalar]

    public init(rows: Int, columns: Int, storage: [Scalar]) {
        precondition(storage.count == rows * columns, "a \(rows)×\(columns) matrix needs \(rows * columns) values, got \(storage.count)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
        self.init(rows: rows, columns: columns, storage: Array(repeating: value, count: rows * columns))
    }

    public static func identity(_ n: Int) -> Matrix {
        var matrix = Matrix(rows: n, columns: n)
        for i in 0..<n { matrix[i, i] = 1 }
        return matrix
    }

    public subscript(row: Int, column: Int) -> Scalar {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    public var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for i in 0..<rows { for j in 0..<columns { result.storage[j * rows + i] = storage[i * columns + j] } }
        return result
    }

    /// op(self) · op(other) through BLAS gemm.
    public func multiplied(by other: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false) -> Matrix {
        let m = transposeSelf ? columns : rows, k = transposeSelf ? rows : columns
        let k2 = transposeOther ? other.columns : other.rows, n = transposeOther ? other.rows : other.columns
        precondition(k == k2, "cannot multiply \(m)×\(k) by \(k2)×\(n)")
        var result = Matrix(rows: m, columns: n)
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                result.storage.withUnsafeMutableBufferPointer { c in
                    Scalar.gemm(transposeSelf, transposeOther, m, n, k, 1, a.baseAddress!, columns, b.baseAddress!, other.columns,
                                0, c.baseAddress!, n)
                }
            }
        }
        return result
    }

    /// self · x through BLAS gemv.
    public func multiplied(by vector: [Scalar]) -> [Scalar] {
        precondition(vector.count == columns, "cannot multiply \(rows)×\(columns) by a vector of \(vector.count)")
        var result = [Scalar](repeating: 0, count: rows)
        storage.withUnsafeBufferPointer { a in
            vector.withUnsafeBufferPointer { x in
                result.withUnsafeMutableBufferPointer { y in
                    Scalar.gemv(false, rows, columns, 1, a.baseAddress!, columns, x.baseAddress!, 0, y.baseAddress!)
                }
            }
        }
        return result
    }

    /// The lower-triangular L with L·Lᵀ = self, or nil when self is not positive definite.
    public func cholesky() -> Matrix? {
        precondition(rows == columns, "cholesky needs a square matrix")
        var factor = self
        let info = factor.storage.withUnsafeMutableBufferPointer { Scalar.potrf(rows, $0.baseAddress!) }
        guard info == 0 else { return nil }
        for i in 0..<rows { for j in (i + 1)..<max(i + 1, columns) { factor[i, j] = 0 } }
        return factor
    }

    /// The symmetric matrix with the same eigenvectors and every eigenvalue raised to at least
    /// `floor` (positive definite for a positive floor); nil if LAPACK does not converge.
    public func clippingEigenvalues(below floor: Scalar) -> Matrix? {
        guard let (values, vectors) = symmetricEigen() else { return nil }
        var scaled = vectors
        for i in 0..<rows { for k in 0..<columns { scaled[i, k] *= Swift.max(values[k], floor) } }
        return scaled.multiplied(by: vectors, transposeOther: true)
    }

    /// Eigenvalues in ascending order and the matching unit eigenvectors (as columns) of a
    /// symmetric matrix; nil if LAPACK does not converge.
    public func symmetricEigen() -> (values: [Scalar], vectors: Matrix)? {
        precondition(rows == columns, "symmetricEigen needs a square matrix")
        var vectors = self
        var values = [Scalar](repeating: 0, count: rows)
        let info = vectors.storage.withUnsafeMutableBufferPointer { a in
            values.withUnsafeMutableBufferPointer { w in Scalar.syevd(rows, a.baseAddress!, w.baseAddress!) }
        }
        return info == 0 ? (values, vectors) : nil
    }
}
