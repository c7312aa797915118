import Foundation
import Testing
@testable import SynthMath

@Suite("BLAS and LAPACK bridges")
struct LinearAlgebraTests {
    func naive<T: BLASScalar>(_ a: Matrix<T>, _ b: Matrix<T>) -> Matrix<T> {
        var c = Matrix<T>(rows: a.rows, columns: b.columns)
        for i in 0..<a.rows { for j in 0..<b.columns { var s: T = 0; for k in 0..<a.columns { s += a[i, k] * b[k, j] }; c[i, j] = s } }
        return c
    }

    func random<T: BLASScalar>(_ rows: Int, _ columns: Int, seed: UInt64, as: T.Type) -> Matrix<T> {
        var rng = Philox(seed: seed)
        return Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in T(rng.nextUniform() * 2 - 1) })
    }

    @Test func gemmAndGemvMatchTheDefinition() {
        let a = random(5, 7, seed: 1, as: Double.self), b = random(7, 3, seed: 2, as: Double.self)
        let c = a.multiplied(by: b)
        let expected = naive(a, b)
        for i in 0..<c.storage.count { #expect(abs(c.storage[i] - expected.storage[i]) < 1e-12) }
        let t = a.transposed.multiplied(by: b, transposeSelf: true)
        #expect(t == c)
        let bt = a.multiplied(by: b.transposed, transposeOther: true)
        #expect(bt == c)
        let x = (0..<7).map { Double($0) - 3 }
        let y = a.multiplied(by: x)
        for i in 0..<5 { #expect(abs(y[i] - (0..<7).reduce(0) { $0 + a[i, $1] * x[$1] }) < 1e-12) }

        let af = random(4, 6, seed: 3, as: Float.self), bf = random(6, 2, seed: 4, as: Float.self)
        let cf = af.multiplied(by: bf), ef = naive(af, bf)
        for i in 0..<cf.storage.count { #expect(abs(cf.storage[i] - ef.storage[i]) < 1e-5) }
    }

    @Test func choleskyFactorsAPositiveDefiniteMatrix() {
        let r = random(4, 4, seed: 5, as: Double.self)
        var spd = r.multiplied(by: r, transposeOther: true)
        for i in 0..<4 { spd[i, i] += 4 }
        let l = spd.cholesky()!
        for i in 0..<4 { for j in (i + 1)..<4 { #expect(l[i, j] == 0) } }
        let back = l.multiplied(by: l, transposeOther: true)
        for i in 0..<16 { #expect(abs(back.storage[i] - spd.storage[i]) < 1e-12) }
        var indefinite = Matrix<Double>.identity(3)
        indefinite[2, 2] = -1
        #expect(indefinite.cholesky() == nil)
    }

    @Test func clippingEigenvaluesMakesAMatrixPositiveDefinite() {
        var indefinite = Matrix<Double>.identity(3)
        indefinite[0, 1] = 2
        indefinite[1, 0] = 2
        #expect(indefinite.cholesky() == nil)
        let repaired = indefinite.clippingEigenvalues(below: 1e-6)!
        #expect(repaired.cholesky() != nil)
        #expect(repaired.symmetricEigen()!.values.allSatisfy { $0 >= 1e-6 * 0.999 })
        let r = random(3, 3, seed: 9, as: Double.self)
        var spd = r.multiplied(by: r, transposeOther: true)
        for i in 0..<3 { spd[i, i] += 1 }
        let unchanged = spd.clippingEigenvalues(below: 1e-6)!
        for i in 0..<9 { #expect(abs(unchanged.storage[i] - spd.storage[i]) < 1e-12) }
    }

    @Test func symmetricEigenDecomposes() {
        let r = random(5, 5, seed: 6, as: Double.self)
        let symmetric = r.multiplied(by: r, transposeSelf: true)
        let (values, vectors) = symmetric.symmetricEigen()!
        #expect(values == values.sorted())
        for k in 0..<5 {
            let v = (0..<5).map { vectors[$0, k] }
            let av = symmetric.multiplied(by: v)
            for i in 0..<5 { #expect(abs(av[i] - values[k] * v[i]) < 1e-10) }
            #expect(abs(v.reduce(0) { $0 + $1 * $1 } - 1) < 1e-12)
        }
    }
}

@Suite("Sampling distributions")
struct DistributionTests {
    func moments(_ n: Int, _ draw: (inout Philox) -> Double) -> (mean: Double, variance: Double) {
        var rng = Philox(seed: 77)
        let xs = (0..<n).map { _ in draw(&rng) }
        let (mean, sd) = meanAndStandardDeviation(xs)!
        return (mean, sd * sd)
    }

    @Test func normalGammaBetaGumbelHaveTheirMoments() {
        let normal = moments(200_000) { $0.nextNormal(mean: 2, standardDeviation: 3) }
        #expect(abs(normal.mean - 2) < 0.03 && abs(normal.variance - 9) < 0.15)
        for shape in [0.5, 1.0, 4.5] {
            let gamma = moments(200_000) { $0.nextGamma(shape: shape) }
            #expect(abs(gamma.mean - shape) < 0.02 * max(1, shape) && abs(gamma.variance - shape) < 0.05 * max(1, shape))
        }
        let beta = moments(200_000) { $0.nextBeta(2, 5) }
        #expect(abs(beta.mean - 2.0 / 7) < 0.003 && abs(beta.variance - 10.0 / (49 * 8)) < 0.001)
        let gumbel = moments(200_000) { $0.nextGumbel() }
        #expect(abs(gumbel.mean - 0.5772156649) < 0.01 && abs(gumbel.variance - Double.pi * Double.pi / 6) < 0.03)
        var rng = Philox(seed: 3)
        var counts = [0, 0, 0]
        for _ in 0..<60_000 { counts[rng.nextCategorical([1, 2, 3])] += 1 }
        #expect(abs(Double(counts[2]) / 60_000 - 0.5) < 0.01 && abs(Double(counts[0]) / 60_000 - 1.0 / 6) < 0.01)
    }

    @Test func aStreamIsAFunctionOfItsSeed() {
        var a = Philox(seed: 9).derive("normal"), b = Philox(seed: 9).derive("normal")
        #expect((0..<100).map { _ in a.nextNormal() } == (0..<100).map { _ in b.nextNormal() })
    }
}

@Suite("OpenBLAS kernels")
struct BLASKernelTests {
    /// After a product, an x86-64 CPU with AVX2 and FMA runs OpenBLAS's Haswell kernels, unless
    /// OPENBLAS_CORETYPE chose others, which are then left alone.
    @Test func productsRunOnTheHaswellKernels() throws {
        let a = Matrix<Float>(rows: 2, columns: 2, storage: [1, 2, 3, 4])
        #expect(a.multiplied(by: a).storage == [7, 10, 15, 22])
        let chosen = ProcessEnvironment.current["OPENBLAS_CORETYPE"]
        #if arch(x86_64)
        if chosen == nil || chosen == "Haswell", BLASKernels.cpuHasAVX2AndFMA() {
            #expect(BLASKernels.name == "Haswell")
            #expect(BLASKernels.pinned)
        } else {
            // Kernels the user chose, or a CPU without AVX2: left alone.
            #expect(!BLASKernels.pinned)
        }
        #endif
    }
}
