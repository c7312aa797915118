import Foundation
import SynthMath

/// Predictions of a fitted model for n rows: class probabilities (row-major, n × classes) or
/// numbers (n × 1).
public struct Predictions: Sendable {
    public var rows: Int
    /// 1 for regression, the number of classes otherwise.
    public var width: Int
    public var values: [Double]

    /// The most probable class of each row (first on ties).
    public var classes: [Int] {
        (0..<rows).map { row in
            var best = 0
            for k in 1..<max(width, 1) where values[row * width + k] > values[row * width + best] { best = k }
            return best
        }
    }
}

/// Minimizes a smooth convex function by limited-memory BFGS (ten pairs) with a backtracking
/// Armijo line search. Stops when the gradient's largest component falls below `tolerance`, when
/// a step lowers the value by less than `relativeDecrease` of it (scipy's L-BFGS-B `ftol`), or
/// after `iterations` steps.
public func minimizeLBFGS(_ start: [Double], iterations: Int = 500, tolerance: Double = 1e-5,
                          relativeDecrease: Double = 2.2e-9,
                          _ objective: ([Double]) -> (value: Double, gradient: [Double])) -> [Double] {
    var x = start
    var (value, gradient) = objective(x)
    var steps: [[Double]] = [], changes: [[Double]] = [], curvatures: [Double] = []
    func dot(_ a: [Double], _ b: [Double]) -> Double {
        var total = 0.0
        for i in a.indices { total += a[i] * b[i] }
        return total
    }
    for iteration in 0..<iterations {
        if gradient.map({ Swift.abs($0) }).max() ?? 0 < tolerance { break }
        // Two-loop recursion: direction = −H·g.
        var q = gradient
        var alphas = [Double](repeating: 0, count: steps.count)
        for i in stride(from: steps.count - 1, through: 0, by: -1) {
            alphas[i] = curvatures[i] * dot(steps[i], q)
            for j in q.indices { q[j] -= alphas[i] * changes[i][j] }
        }
        if let s = steps.last, let y = changes.last {
            let scale = dot(s, y) / dot(y, y)
            for j in q.indices { q[j] *= scale }
        } else {
            let norm = dot(gradient, gradient).squareRoot()
            for j in q.indices { q[j] /= max(norm, 1) }
        }
        for i in steps.indices {
            let beta = curvatures[i] * dot(changes[i], q)
            for j in q.indices { q[j] += steps[i][j] * (alphas[i] - beta) }
        }
        var direction = q.map { -$0 }
        var slope = dot(gradient, direction)
        if slope >= 0 {
            // Not a descent direction: restart from steepest descent.
            steps.removeAll(); changes.removeAll(); curvatures.removeAll()
            direction = gradient.map { -$0 }
            slope = -dot(gradient, gradient)
        }
        var step = 1.0
        var candidate = x, next = (value: value, gradient: gradient)
        var accepted = false
        for _ in 0..<60 {
            for j in x.indices { candidate[j] = x[j] + step * direction[j] }
            next = objective(candidate)
            if next.value <= value + 1e-4 * step * slope { accepted = true; break }
            step *= 0.5
        }
        if !accepted { break }
        let s = zip(candidate, x).map { $0 - $1 }, y = zip(next.gradient, gradient).map { $0 - $1 }
        let sy = dot(s, y)
        let previous = value
        x = candidate
        (value, gradient) = next
        if sy > 1e-12 {
            steps.append(s); changes.append(y); curvatures.append(1 / sy)
            if steps.count > 10 { steps.removeFirst(); changes.removeFirst(); curvatures.removeFirst() }
        }
        if iteration > 0, previous - value <= relativeDecrease * max(1, Swift.abs(value), Swift.abs(previous)) { break }
    }
    return x
}

/// L2-regularized logistic regression (softmax over the classes; for two classes the same model
/// as the binary one), fitted by L-BFGS on mean log-loss + λ/2 ‖W‖² with λ = 1 / n (scikit-learn's
/// default C = 1), intercepts unpenalized. Ridge regression (α = 1, intercept unpenalized) for a
/// numeric target.
public struct LinearModel: Sendable {
    public let task: LearningTask
    let width: Int, outputs: Int
    /// (width + 1) × outputs, row-major; the last row holds the intercepts.
    let weights: [Double]

    public init(x: [Double], rows n: Int, width d: Int, targets y: [Double], task: LearningTask) throws {
        self.task = task
        self.width = d
        switch task {
        case .regression:
            outputs = 1
            weights = try Self.ridge(x: x, rows: n, width: d, y: y, alpha: 1)
        case .classification(let classes):
            let k = classes.count
            guard k >= 2 else { throw MetricsError.invalid("a single class") }
            outputs = k
            let lambda = 1 / Double(n)
            // One-hot columns leave most cells 0: the loss and gradient then visit the nonzero
            // cells only (a tenth of adult's), instead of every cell twice per evaluation.
            if let sparse = SparseRows(x, rows: n, width: d, densestShare: 0.3) {
                weights = minimizeLBFGS([Double](repeating: 0, count: (d + 1) * k)) { w in
                    Self.softmaxLoss(w, sparse: sparse, classes: k, y: y, lambda: lambda)
                }
            } else {
                weights = minimizeLBFGS([Double](repeating: 0, count: (d + 1) * k)) { w in
                    Self.softmaxLoss(w, x: x, rows: n, width: d, classes: k, y: y, lambda: lambda)
                }
            }
        }
    }

    public func predict(_ x: [Double], rows n: Int) -> Predictions {
        let scores = Self.scores(weights, x: x, rows: n, width: width, outputs: outputs)
        guard task.isClassification else { return Predictions(rows: n, width: 1, values: scores) }
        var probabilities = scores
        for row in 0..<n { Self.softmax(&probabilities, row * outputs, outputs) }
        return Predictions(rows: n, width: outputs, values: probabilities)
    }

    static func scores(_ w: [Double], x: [Double], rows n: Int, width d: Int, outputs k: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * k)
        for row in 0..<n { for c in 0..<k { out[row * k + c] = w[d * k + c] } }
        if d > 0, n > 0 {
            x.withUnsafeBufferPointer { xp in
                w.withUnsafeBufferPointer { wp in
                    out.withUnsafeMutableBufferPointer { op in
                        Double.gemm(false, false, n, k, d, 1, xp.baseAddress!, d, wp.baseAddress!, k, 1, op.baseAddress!, k)
                    }
                }
            }
        }
        return out
    }

    static func softmax(_ values: inout [Double], _ start: Int, _ count: Int) {
        values.withUnsafeMutableBufferPointer { softmaxRow($0, start, count) }
    }

    static func softmaxLoss(_ w: [Double], x: [Double], rows n: Int, width d: Int, classes k: Int, y: [Double],
                            lambda: Double) -> (Double, [Double]) {
        var p = scores(w, x: x, rows: n, width: d, outputs: k)
        var loss = 0.0
        for row in 0..<n {
            softmax(&p, row * k, k)
            let label = Int(y[row])
            loss -= log(max(p[row * k + label], 1e-300))
            p[row * k + label] -= 1
        }
        let scale = 1 / Double(n)
        var gradient = [Double](repeating: 0, count: (d + 1) * k)
        if d > 0 {
            x.withUnsafeBufferPointer { xp in
                p.withUnsafeBufferPointer { pp in
                    gradient.withUnsafeMutableBufferPointer { gp in
                        Double.gemm(true, false, d, k, n, scale, xp.baseAddress!, d, pp.baseAddress!, k, 0, gp.baseAddress!, k)
                    }
                }
            }
        }
        for row in 0..<n { for c in 0..<k { gradient[d * k + c] += p[row * k + c] * scale } }
        var penalty = 0.0
        for index in 0..<(d * k) {
            penalty += w[index] * w[index]
            gradient[index] += lambda * w[index]
        }
        return (loss * scale + lambda / 2 * penalty, gradient)
    }

    /// `softmaxLoss` on the nonzero cells of X: the same loss and gradient, summed in row order.
    static func softmaxLoss(_ w: [Double], sparse: SparseRows, classes k: Int, y: [Double], lambda: Double) -> (Double, [Double]) {
        let n = sparse.rows, d = sparse.width
        var p = [Double](repeating: 0, count: n * k)
        var gradient = [Double](repeating: 0, count: (d + 1) * k)
        var loss = 0.0
        let scale = 1 / Double(n)
        w.withUnsafeBufferPointer { wp in
            p.withUnsafeMutableBufferPointer { pp in
                gradient.withUnsafeMutableBufferPointer { gp in
                    sparse.columns.withUnsafeBufferPointer { cols in
                        sparse.values.withUnsafeBufferPointer { vals in
                            for row in 0..<n {
                                let out = row * k
                                for c in 0..<k { pp[out + c] = wp[d * k + c] }
                                for entry in sparse.starts[row]..<sparse.starts[row + 1] {
                                    let j = Int(cols[entry]) * k, v = vals[entry]
                                    for c in 0..<k { pp[out + c] += v * wp[j + c] }
                                }
                                softmaxRow(pp, out, k)
                                let label = Int(y[row])
                                loss -= log(max(pp[out + label], 1e-300))
                                pp[out + label] -= 1
                                for entry in sparse.starts[row]..<sparse.starts[row + 1] {
                                    let j = Int(cols[entry]) * k, v = vals[entry] * scale
                                    for c in 0..<k { gp[j + c] += v * pp[out + c] }
                                }
                                for c in 0..<k { gp[d * k + c] += pp[out + c] * scale }
                            }
                        }
                    }
                }
            }
        }
        var penalty = 0.0
        for index in 0..<(d * k) {
            penalty += w[index] * w[index]
            gradient[index] += lambda * w[index]
        }
        return (loss * scale + lambda / 2 * penalty, gradient)
    }

    static func softmaxRow(_ values: UnsafeMutableBufferPointer<Double>, _ start: Int, _ count: Int) {
        var top = -Double.infinity
        for c in 0..<count { top = max(top, values[start + c]) }
        var total = 0.0
        for c in 0..<count {
            values[start + c] = exp(values[start + c] - top)
            total += values[start + c]
        }
        for c in 0..<count { values[start + c] /= total }
    }

    /// Solves (XcᵀXc + αI) w = Xcᵀ(y − ȳ) on centered columns, then the intercept.
    static func ridge(x: [Double], rows n: Int, width d: Int, y: [Double], alpha: Double) throws -> [Double] {
        var means = [Double](repeating: 0, count: d)
        for row in 0..<n { for j in 0..<d { means[j] += x[row * d + j] } }
        for j in 0..<d { means[j] /= Double(n) }
        let yMean = y.reduce(0, +) / Double(n)
        var centered = x
        for row in 0..<n { for j in 0..<d { centered[row * d + j] -= means[j] } }
        var gram = [Double](repeating: 0, count: d * d)
        var rhs = [Double](repeating: 0, count: d)
        if d > 0 {
            centered.withUnsafeBufferPointer { cp in
                gram.withUnsafeMutableBufferPointer { gp in
                    Double.gemm(true, false, d, d, n, 1, cp.baseAddress!, d, cp.baseAddress!, d, 0, gp.baseAddress!, d)
                }
            }
            for row in 0..<n { for j in 0..<d { rhs[j] += centered[row * d + j] * (y[row] - yMean) } }
        }
        for j in 0..<d { gram[j * d + j] += alpha }
        let solution = try choleskySolve(gram, rhs, d)
        var weights = solution
        var intercept = yMean
        for j in 0..<d { intercept -= means[j] * solution[j] }
        weights.append(intercept)
        return weights
    }

    static func choleskySolve(_ matrix: [Double], _ rhs: [Double], _ d: Int) throws -> [Double] {
        guard d > 0 else { return [] }
        var factor = matrix
        let info = factor.withUnsafeMutableBufferPointer { Double.potrf(d, $0.baseAddress!) }
        guard info == 0 else { throw MetricsError.invalid("the normal equations are not positive definite") }
        // L z = b, then Lᵀ w = z (row-major lower triangle).
        var z = rhs
        for i in 0..<d {
            for j in 0..<i { z[i] -= factor[i * d + j] * z[j] }
            z[i] /= factor[i * d + i]
        }
        var w = z
        for i in stride(from: d - 1, through: 0, by: -1) {
            for j in (i + 1)..<d { w[i] -= factor[j * d + i] * w[j] }
            w[i] /= factor[i * d + i]
        }
        return w
    }
}

/// The nonzero cells of a row-major n × d matrix, row by row (compressed sparse rows).
struct SparseRows: Equatable {
    let rows: Int, width: Int
    /// Row r's cells are entries starts[r] ..< starts[r + 1].
    let starts: [Int]
    let columns: [Int32]
    let values: [Double]

    /// nil when more than `densestShare` of the cells are nonzero (the dense products are then faster).
    init?(_ x: [Double], rows n: Int, width d: Int, densestShare: Double) {
        var nonzero = 0
        for value in x where value != 0 { nonzero += 1 }
        guard n > 0, d > 0, d < Int(Int32.max), Double(nonzero) <= densestShare * Double(n * d) else { return nil }
        var starts = [Int](repeating: 0, count: n + 1)
        var columns = [Int32](), values = [Double]()
        columns.reserveCapacity(nonzero)
        values.reserveCapacity(nonzero)
        for row in 0..<n {
            for j in 0..<d where x[row * d + j] != 0 {
                columns.append(Int32(j))
                values.append(x[row * d + j])
            }
            starts[row + 1] = columns.count
        }
        self.rows = n
        self.width = d
        self.starts = starts
        self.columns = columns
        self.values = values
    }
}
