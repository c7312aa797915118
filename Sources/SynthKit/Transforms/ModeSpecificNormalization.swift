import Foundation
import SynthMath

/// A one-dimensional Gaussian mixture fitted by variational inference with a Dirichlet-process
/// prior on the weights (Blei and Jordan 2006), following scikit-learn's
/// BayesianGaussianMixture(weight_concentration_prior_type="dirichlet_process") with its priors:
/// mean prior the data mean, mean precision 1, one degree of freedom, covariance prior the data
/// variance; initial responsibilities from k-means started by greedy k-means++ (scikit-learn's
/// KMeans default). Components whose weight stays small are pruned by the caller.
public struct VariationalGaussianMixture: Sendable, Equatable, Codable {
    public let weights: [Double]
    public let means: [Double]
    /// The expected variance of each component.
    public let variances: [Double]
    public let iterations: Int

    /// A mixture given by its parameters.
    public init(weights: [Double], means: [Double], variances: [Double]) {
        precondition(weights.count == means.count && means.count == variances.count, "mixture parameters of unequal lengths")
        self.weights = weights
        self.means = means
        self.variances = variances
        self.iterations = 0
    }

    /// The mixture of `values`; `random` seeds the k-means++ initialization (scikit-learn's
    /// `random_state`).
    public init(fitting values: [Double], components: Int = 10, weightConcentration: Double = 0.001,
                maxIterations: Int = 100, tolerance: Double = 1e-6, random: inout Philox) {
        let n = values.count
        precondition(n > 0, "a mixture needs at least one value")
        let k = Swift.max(1, Swift.min(components, n))
        let (dataMean, dataSD) = meanAndStandardDeviation(values)!
        let covariancePrior = Swift.max(dataSD * dataSD, 1e-6)
        let regularization = 1e-6
        let beta0 = 1.0, nu0 = 1.0, m0 = dataMean

        // Hard initial responsibilities from k-means, as scikit-learn initializes the mixture.
        let labels = kMeansLabels(values, clusters: k, random: &random)

        // Responsibilities, row-major n × k.
        var resp = [Double](repeating: 0, count: n * k)
        for i in 0..<n { resp[i * k + labels[i]] = 1 }

        var alpha1 = [Double](repeating: 0, count: k), alpha2 = alpha1
        var meanPrecision = alpha1, means = alpha1, dof = alpha1, covariances = alpha1
        func mStep() {
            var nk = [Double](repeating: 10 * Double.ulpOfOne, count: k), xk = [Double](repeating: 0, count: k)
            for i in 0..<n { for j in 0..<k { nk[j] += resp[i * k + j]; xk[j] += resp[i * k + j] * values[i] } }
            for j in 0..<k { xk[j] /= nk[j] }
            var sk = [Double](repeating: 0, count: k)
            for i in 0..<n { for j in 0..<k { let d = values[i] - xk[j]; sk[j] += resp[i * k + j] * d * d } }
            for j in 0..<k { sk[j] = sk[j] / nk[j] + regularization }
            var tail = 0.0
            for j in stride(from: k - 1, through: 0, by: -1) {
                alpha1[j] = 1 + nk[j]
                alpha2[j] = weightConcentration + tail
                tail += nk[j]
            }
            for j in 0..<k {
                meanPrecision[j] = beta0 + nk[j]
                means[j] = (beta0 * m0 + nk[j] * xk[j]) / meanPrecision[j]
                dof[j] = nu0 + nk[j]
                let diff = xk[j] - m0
                covariances[j] = (covariancePrior + nk[j] * sk[j] + nk[j] * beta0 / meanPrecision[j] * diff * diff) / dof[j]
            }
        }
        func eStep() {
            var logWeights = [Double](repeating: 0, count: k)
            var carried = 0.0
            for j in 0..<k {
                let digammaSum = digamma(alpha1[j] + alpha2[j])
                logWeights[j] = digamma(alpha1[j]) - digammaSum + carried
                carried += digamma(alpha2[j]) - digammaSum
            }
            let log2pi = Foundation.log(2 * Double.pi)
            var constant = [Double](repeating: 0, count: k), precision = constant
            for j in 0..<k {
                precision[j] = 1 / covariances[j]
                let logDet = -0.5 * Foundation.log(covariances[j])
                let logLambda = Foundation.log(2.0) + digamma(0.5 * dof[j])
                constant[j] = logWeights[j] - 0.5 * log2pi + logDet - 0.5 * Foundation.log(dof[j]) + 0.5 * (logLambda - 1 / meanPrecision[j])
            }
            // Each row's responsibilities: the softmax of its log densities. The shifted log
            // densities of every row are exponentiated together (vectorized), then normalized.
            resp.withUnsafeMutableBufferPointer { resp in
                for i in 0..<n {
                    let row = resp.baseAddress! + i * k
                    var top = -Double.infinity
                    for j in 0..<k {
                        let d = values[i] - means[j]
                        row[j] = constant[j] - 0.5 * d * d * precision[j]
                        top = Swift.max(top, row[j])
                    }
                    for j in 0..<k { row[j] -= top }
                }
                VectorMath.exp(resp)
                for i in 0..<n {
                    let row = resp.baseAddress! + i * k
                    var total = 0.0
                    for j in 0..<k { total += row[j] }
                    for j in 0..<k { row[j] /= total }
                }
            }
        }

        mStep()
        var iteration = 0
        var previous = (means, alpha1)
        while iteration < maxIterations {
            iteration += 1
            eStep()
            mStep()
            let change = zip(means, previous.0).map { Swift.abs($0 - $1) / (dataSD + 1e-12) }.max()!
                + zip(alpha1, previous.1).map { Swift.abs($0 - $1) / Double(n) }.max()!
            previous = (means, alpha1)
            if change < tolerance { break }
        }
        // Expected stick-breaking weights.
        var weights = [Double](repeating: 0, count: k), remaining = 1.0
        for j in 0..<k {
            let v = alpha1[j] / (alpha1[j] + alpha2[j])
            weights[j] = v * remaining
            remaining *= 1 - v
        }
        let total = weights.reduce(0, +)
        self.weights = weights.map { $0 / total }
        self.means = means
        self.variances = covariances
        self.iterations = iteration
    }

    /// The posterior probability of each component for `x` (under the fitted weights, means and
    /// variances), restricted to `components`.
    public func probabilities(_ x: Double, components: [Int]) -> [Double] {
        let logs = components.map { j -> Double in
            let d = x - means[j]
            return Foundation.log(weights[j]) - 0.5 * Foundation.log(variances[j]) - 0.5 * d * d / variances[j]
        }
        let total = logSumExp(logs)
        return logs.map { Foundation.exp($0 - total) }
    }
}

/// Each value's cluster under k-means on the line (Lloyd's iterations, at most 300, until no
/// centre moves by more than 1e-4 of the data's variance in total, scikit-learn's KMeans), started
/// by greedy k-means++ (Arthur and Vassilvitskii 2007; 2 + ⌊ln k⌋ candidates per centre, the one
/// that lowers the potential most is kept). Clusters are numbered in the order k-means++ chose
/// their first centres. On sorted values each cluster is an interval between midpoints of
/// neighbouring centres, so one iteration costs O(k log n) with prefix sums.
func kMeansLabels(_ values: [Double], clusters k: Int, random: inout Philox) -> [Int] {
    let n = values.count
    guard k > 1, n > 1 else { return Array(repeating: 0, count: n) }
    let sorted = values.sorted()
    var prefix = [Double](repeating: 0, count: n + 1)
    for i in 0..<n { prefix[i + 1] = prefix[i] + sorted[i] }

    // Greedy k-means++ over the values.
    var centers = [values[random.nextInt(below: n)]]
    var closest = values.map { ($0 - centers[0]) * ($0 - centers[0]) }
    var potential = closest.reduce(0, +)
    let trials = 2 + Int(Foundation.log(Double(k)))
    var cumulative = [Double](repeating: 0, count: n)
    while centers.count < k {
        var running = 0.0
        for i in 0..<n { running += closest[i]; cumulative[i] = running }
        // Each candidate's potential is Σ min(closest, its squared distance); the best one is kept.
        var best: (center: Double, potential: Double)?
        for _ in 0..<trials {
            // The first value whose cumulative distance reaches the draw (numpy's searchsorted).
            let target = random.nextUniform() * potential
            var low = 0, high = n - 1
            while low < high {
                let middle = (low + high) / 2
                if cumulative[middle] < target { low = middle + 1 } else { high = middle }
            }
            let candidate = values[low]
            var total = 0.0
            for i in 0..<n { total += Swift.min(closest[i], (values[i] - candidate) * (values[i] - candidate)) }
            if best == nil || total < best!.potential { best = (candidate, total) }
        }
        let chosen = best!
        centers.append(chosen.center)
        for i in 0..<n { closest[i] = Swift.min(closest[i], (values[i] - chosen.center) * (values[i] - chosen.center)) }
        potential = chosen.potential
    }

    // Lloyd's iterations on the sorted values: the centres in increasing order cut the line at
    // their midpoints; each cluster's new centre is the mean of its interval (an empty one stays).
    let (_, sd) = meanAndStandardDeviation(values)!
    let tolerance = 1e-4 * sd * sd
    /// The index of the first sorted value above `x`.
    func upper(_ x: Double) -> Int {
        var low = 0, high = n
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] <= x { low = middle + 1 } else { high = middle }
        }
        return low
    }
    for _ in 0..<300 {
        let order = centers.indices.sorted { (centers[$0], $0) < (centers[$1], $1) }
        var moved = 0.0
        var begin = 0
        for (position, j) in order.enumerated() {
            let end = position + 1 < order.count ? upper((centers[j] + centers[order[position + 1]]) / 2) : n
            if end > begin {
                let center = (prefix[end] - prefix[begin]) / Double(end - begin)
                moved += (center - centers[j]) * (center - centers[j])
                centers[j] = center
            }
            begin = Swift.max(begin, end)
        }
        if moved <= tolerance { break }
    }
    // Each value's nearest centre (the first of equally near ones).
    return values.map { x in
        var label = 0
        for j in 1..<k where Swift.abs(x - centers[j]) < Swift.abs(x - centers[label]) { label = j }
        return label
    }
}

/// CTGAN's mode-specific normalization (Xu et al. 2019): a variational Gaussian mixture with a
/// Dirichlet-process prior per continuous column (at most 10 modes; modes with weight ≤ 0.005 are
/// dropped). A value becomes its mode, one-hot, and α = (x − μₖ)/(4σₖ). Output columns: α, one
/// per kept mode, one per point mass, and a missing indicator when the column has missing values.
///
/// A point mass is a value that at least a given share of the present values hold, such as the 0
/// of a column of capital gains (92 % of adult's rows). The mixture would give it a mode whose
/// width comes from the covariance prior, about the column's standard deviation over √count (on
/// adult's training rows 4σ is 189 dollars for capital-gain's 0, as scikit-learn's fit gives), so
/// that a 0 comes out only when α is generated within a few thousandths of the data's. A point
/// mass is instead a mode of its own, with α = 0, that decodes to the value exactly; the mixture
/// is fitted on the other values.
public struct ModeSpecificNormalization: ColumnTransform, Equatable, Codable {
    public let domain: NumericDomain
    public let mixture: VariationalGaussianMixture
    /// The modes kept, as indices into the mixture.
    public let modes: [Int]
    /// The values taken as modes of their own (after the mixture's modes), in increasing order.
    public let pointMasses: [Double]
    public let hasMissing: Bool
    public let fill: Double

    /// The transform of `column`; `random` seeds the mixture's initialization. With
    /// `pointMassShare`, each value at least that share of the present values hold is a point mass,
    /// when the column holds some other value too (so a share of 1 makes none).
    public init(fitting column: Column, maxModes: Int = 10, weightThreshold: Double = 0.005, pointMassShare: Double? = nil,
                random: inout Philox) throws {
        domain = try NumericDomain(column)
        let present = column.presentNumbers() ?? []
        hasMissing = column.missingCount > 0
        fill = present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
        var masses: [Double] = []
        if let pointMassShare, !present.isEmpty {
            var counts: [Double: Int] = [:]
            for x in present { counts[x, default: 0] += 1 }
            let least = pointMassShare * Double(present.count)
            masses = counts.filter { Double($0.value) >= least }.keys.sorted()
            if masses.count == counts.count { masses = [] }
        }
        pointMasses = masses
        let massSet = Set(masses)
        let rest = masses.isEmpty ? present : present.filter { !massSet.contains($0) }
        let fitted = VariationalGaussianMixture(fitting: rest.isEmpty ? [0] : rest, components: maxModes, random: &random)
        mixture = fitted
        let kept = fitted.weights.indices.filter { fitted.weights[$0] > weightThreshold }
        modes = kept.isEmpty ? [fitted.weights.indices.max { fitted.weights[$0] < fitted.weights[$1] }!] : kept
    }

    private enum CodingKeys: String, CodingKey { case domain, mixture, modes, pointMasses, hasMissing, fill }

    /// Decodes a saved transform; one saved before point masses existed has none.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        domain = try container.decode(NumericDomain.self, forKey: .domain)
        mixture = try container.decode(VariationalGaussianMixture.self, forKey: .mixture)
        modes = try container.decode([Int].self, forKey: .modes)
        pointMasses = try container.decodeIfPresent([Double].self, forKey: .pointMasses) ?? []
        hasMissing = try container.decode(Bool.self, forKey: .hasMissing)
        fill = try container.decode(Double.self, forKey: .fill)
    }

    /// One mode spanning the column's range, from public metadata only (its minimum and maximum,
    /// or the public `bounds` given for it): μ the midpoint and 4σ half the range, so
    /// α = (x − μ)/(4σ) lies in [−1, 1] (values beyond bounds are clipped), and a missing indicator
    /// whether or not the column has missing values. Nothing else about the values is used: for
    /// training under differential privacy, where the mixture would reveal the data.
    public init(publicRangeOf column: Column, bounds: ClosedRange<Double>? = nil) throws {
        domain = try NumericDomain(column, bounds: bounds)
        hasMissing = true
        let middle = (domain.minimum + domain.maximum) / 2
        let quarterWidth = Swift.max((domain.maximum - domain.minimum) / 8, 1e-9)
        fill = middle
        mixture = VariationalGaussianMixture(weights: [1], means: [middle], variances: [quarterWidth * quarterWidth])
        modes = [0]
        pointMasses = []
    }

    /// The mixture's modes and the point masses.
    public var modeCount: Int { modes.count + pointMasses.count }

    public var width: Int { 1 + modeCount + (hasMissing ? 1 : 0) }

    /// Each value's most probable mode.
    public func forward(_ column: Column) -> [[Double]] {
        encode(column) { probabilities in probabilities.indices.max { probabilities[$0] < probabilities[$1] }! }
    }

    /// Each value's mode drawn from its posterior probabilities, as CTGAN's transformer does.
    public func forward(_ column: Column, random: inout Philox) -> [[Double]] {
        var stream = random
        defer { random = stream }
        return encode(column) { stream.nextCategorical($0) }
    }

    private func encode(_ column: Column, choose: ([Double]) -> Int) -> [[Double]] {
        let numbers = domain.numbers(column, fill: fill)
        var out = [[Double]](repeating: [Double](repeating: 0, count: numbers.count), count: width)
        for (row, x) in numbers.enumerated() {
            if let mass = pointMasses.firstIndex(of: x) {
                out[1 + modes.count + mass][row] = 1
            } else {
                let slot = choose(mixture.probabilities(x, components: modes))
                let mode = modes[slot]
                out[0][row] = (x - mixture.means[mode]) / (4 * mixture.variances[mode].squareRoot())
                out[1 + slot][row] = 1
            }
            if hasMissing, column.isMissing(row) { out[width - 1][row] = 1 }
        }
        return out
    }

    public func inverse(_ encoded: [[Double]], name: String) -> Column {
        let rows = encoded[0].count
        var numbers = [Double](repeating: 0, count: rows)
        for row in 0..<rows {
            let slot = (0..<modeCount).max { encoded[1 + $0][row] < encoded[1 + $1][row] }!
            if slot >= modes.count {
                numbers[row] = pointMasses[slot - modes.count]
            } else {
                let mode = modes[slot]
                numbers[row] = encoded[0][row] * 4 * mixture.variances[mode].squareRoot() + mixture.means[mode]
            }
        }
        let missing = hasMissing ? encoded[width - 1].map { $0 > 0.5 } : Array(repeating: false, count: rows)
        return domain.column(numbers, missing: missing, name: name)
    }
}
