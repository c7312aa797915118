import Foundation
import SynthMath

/// Histogram gradient-boosted trees in the manner of LightGBM and scikit-learn's
/// HistGradientBoosting estimators, with their defaults: features cut into at most 255 bins (plus
/// one for missing values), trees grown best-first to 31 leaves with at least 20 rows a leaf,
/// learning rate 0.1, 100 iterations, no L2 penalty; log-loss (one tree per class when there are
/// more than two) or squared error. Numeric splits send missing values to whichever side gains
/// more; categorical features split natively, their categories ordered by gradient over hessian.
/// With more than 10,000 rows, 10 % (stratified for classes) is held out and training stops when
/// the held-out loss has not improved by 1e-7 in 10 iterations.
public struct GradientBoosting: Sendable {
    public struct Settings: Sendable {
        public var learningRate = 0.1
        public var iterations = 100
        public var maxLeaves = 31
        public var minLeafRows = 20
        public var l2 = 0.0
        public var maxBins = 255
        /// nil: on when there are more than 10,000 rows.
        public var earlyStopping: Bool? = nil
        public init() {}
    }

    public let task: LearningTask
    let outputs: Int
    let baseline: [Double]
    let binners: [Binner]
    /// trees[iteration][output]
    let trees: [[Tree]]
    let learningRate: Double
    public var iterationsRun: Int { trees.count }

    static let missingBin = 255

    public init(columns: [[Double]], categorical: [Bool], targets y: [Double], task: LearningTask,
                settings: Settings = Settings(), random: Philox, cancelled: () throws -> Void = {}) throws {
        self.task = task
        self.learningRate = settings.learningRate
        let n = y.count
        guard n > 0 else { throw MetricsError.invalid("no training rows") }
        let k: Int
        switch task {
        case .regression: k = 1
        case .classification(let classes):
            guard classes.count >= 2 else { throw MetricsError.invalid("a single class") }
            k = classes.count == 2 ? 1 : classes.count
        }
        outputs = k
        let classCount = if case .classification(let classes) = task { classes.count } else { 0 }

        // Hold out a validation part for early stopping.
        var trainRows = Array(0..<n), validationRows: [Int] = []
        if settings.earlyStopping ?? (n > 10_000) {
            var generator = random.derive("validation")
            (trainRows, validationRows) = Self.split(y, task: task, fraction: 0.1, random: &generator)
        }
        let binners = zip(columns, categorical).map { column, isCategorical in
            Binner(trainRows.map { column[$0] }, categorical: isCategorical, maxBins: settings.maxBins)
        }
        self.binners = binners
        let bins: [[UInt8]] = zip(binners, columns).map { binner, column in column.map(binner.bin) }

        // Baseline raw scores.
        var baseline = [Double](repeating: 0, count: k)
        let trainTargets = trainRows.map { y[$0] }
        switch task {
        case .regression:
            baseline[0] = trainTargets.reduce(0, +) / Double(trainTargets.count)
        case .classification:
            var counts = [Double](repeating: 0, count: classCount)
            for label in trainTargets { counts[Int(label)] += 1 }
            let total = Double(trainTargets.count)
            if k == 1 {
                let p = min(max(counts[1] / total, 1e-15), 1 - 1e-15)
                baseline[0] = log(p / (1 - p))
            } else {
                let logs = counts.map { log(max($0 / total, 1e-15)) }
                let average = logs.reduce(0, +) / Double(k)
                baseline = logs.map { $0 - average }
            }
        }
        self.baseline = baseline

        var raw = [Double](repeating: 0, count: n * k)
        for row in 0..<n { for c in 0..<k { raw[row * k + c] = baseline[c] } }
        var trees: [[Tree]] = []
        var scores: [Double] = []
        var gradients = [Double](repeating: 0, count: n), hessians = [Double](repeating: 0, count: n)
        let builder = TreeBuilder(bins: bins, binners: binners, settings: settings)
        for _ in 0..<settings.iterations {
            try cancelled()
            var round: [Tree] = []
            let probabilities = Self.probabilities(raw, rows: n, outputs: k, task: task)
            for c in 0..<k {
                for row in trainRows {
                    switch task {
                    case .regression:
                        gradients[row] = raw[row] - y[row]
                        hessians[row] = 1
                    case .classification:
                        let p = probabilities[row * k + c]
                        let target = k == 1 ? y[row] : (Int(y[row]) == c ? 1 : 0)
                        gradients[row] = p - target
                        hessians[row] = max(p * (1 - p), 1e-16)
                    }
                }
                let (tree, leaves) = builder.build(rows: trainRows, gradients: gradients, hessians: hessians,
                                                   shrinkage: settings.learningRate)
                // Training rows take their leaf's value from the partition the builder made;
                // only held-out rows walk the tree.
                for leaf in leaves { for row in leaf.rows { raw[row * k + c] += leaf.value } }
                for row in validationRows { raw[row * k + c] += tree.predict(bins, row) }
                round.append(tree)
            }
            trees.append(round)
            if !validationRows.isEmpty {
                scores.append(-Self.loss(raw, rows: validationRows, outputs: k, task: task, y: y))
                if scores.count > 10 {
                    let reference = scores[scores.count - 11]
                    if !scores.suffix(10).contains(where: { $0 > reference + 1e-7 }) { break }
                }
            }
        }
        self.trees = trees
    }

    public func predict(columns: [[Double]]) -> Predictions {
        let n = columns.first?.count ?? 0
        let bins: [[UInt8]] = zip(binners, columns).map { binner, column in column.map(binner.bin) }
        var raw = [Double](repeating: 0, count: n * outputs)
        for row in 0..<n {
            for c in 0..<outputs {
                var total = baseline[c]
                for round in trees { total += round[c].predict(bins, row) }
                raw[row * outputs + c] = total
            }
        }
        switch task {
        case .regression: return Predictions(rows: n, width: 1, values: raw)
        case .classification(let classes):
            let p = Self.probabilities(raw, rows: n, outputs: outputs, task: task)
            if outputs == 1 {
                var two = [Double](repeating: 0, count: n * 2)
                for row in 0..<n { two[row * 2] = 1 - p[row]; two[row * 2 + 1] = p[row] }
                return Predictions(rows: n, width: 2, values: two)
            }
            return Predictions(rows: n, width: classes.count, values: p)
        }
    }

    static func probabilities(_ raw: [Double], rows n: Int, outputs k: Int, task: LearningTask) -> [Double] {
        guard task.isClassification else { return raw }
        if k == 1 { return raw.map { 1 / (1 + exp(-$0)) } }
        var p = raw
        for row in 0..<n { LinearModel.softmax(&p, row * k, k) }
        return p
    }

    static func loss(_ raw: [Double], rows: [Int], outputs k: Int, task: LearningTask, y: [Double]) -> Double {
        var total = 0.0
        for row in rows {
            switch task {
            case .regression:
                let d = raw[row] - y[row]
                total += d * d / 2
            case .classification:
                if k == 1 {
                    let z = raw[row]
                    // log(1 + e^z) − y z, stably.
                    total += (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - y[row] * z
                } else {
                    var top = -Double.infinity
                    for c in 0..<k { top = max(top, raw[row * k + c]) }
                    var sum = 0.0
                    for c in 0..<k { sum += exp(raw[row * k + c] - top) }
                    total += top + log(sum) - raw[row * k + Int(y[row])]
                }
            }
        }
        return total / Double(max(rows.count, 1))
    }

    /// A seeded split of the rows, stratified by class for classification.
    static func split(_ y: [Double], task: LearningTask, fraction: Double, random: inout Philox) -> ([Int], [Int]) {
        var groups: [[Int]]
        if case .classification(let classes) = task {
            groups = [[Int]](repeating: [], count: classes.count)
            for (row, label) in y.enumerated() { groups[Int(label)].append(row) }
        } else {
            groups = [Array(y.indices)]
        }
        var train: [Int] = [], validation: [Int] = []
        for var group in groups {
            random.shuffle(&group)
            let held = Int((Double(group.count) * fraction).rounded())
            validation += group.prefix(held)
            train += group.dropFirst(held)
        }
        return (train.sorted(), validation.sorted())
    }
}

/// Maps a feature's values to bins 0…254 (255 is missing): for numbers, thresholds between
/// consecutive distinct values when there are few, else at quantiles; for categories, the code.
struct Binner: Sendable {
    let categorical: Bool
    /// Upper bounds: value ≤ thresholds[b] falls in bin b (numbers).
    let thresholds: [Double]

    init(_ values: [Double], categorical: Bool, maxBins: Int) {
        self.categorical = categorical
        guard !categorical else {
            thresholds = []
            return
        }
        let present = values.filter { !$0.isNaN }.sorted()
        var distinct: [Double] = []
        for value in present where distinct.last != value { distinct.append(value) }
        if distinct.count <= maxBins {
            thresholds = zip(distinct, distinct.dropFirst()).map { ($0 + $1) / 2 }
        } else {
            var cuts: [Double] = []
            for b in 1..<maxBins {
                let cut = interpolatedQuantile(sorted: present, Double(b) / Double(maxBins))
                if cuts.last != cut { cuts.append(cut) }
            }
            thresholds = cuts
        }
    }

    func bin(_ value: Double) -> UInt8 {
        if value.isNaN { return UInt8(GradientBoosting.missingBin) }
        if categorical { return UInt8(min(Int(value), GradientBoosting.missingBin - 1)) }
        var low = 0, high = thresholds.count
        while low < high {
            let middle = (low + high) / 2
            if value <= thresholds[middle] { high = middle } else { low = middle + 1 }
        }
        return UInt8(low)
    }
}

/// A fitted tree: internal nodes route a row by its bin; leaves hold the shrunken value.
struct Tree: Sendable {
    struct Node: Sendable {
        var feature = -1
        /// For numbers: bins ≤ threshold go left. For categories: `left[bin]`.
        var threshold = 0
        var missingLeft = false
        var left = 0, right = 0
        var categoriesLeft: [Bool]? = nil
        var value = 0.0
    }
    var nodes: [Node]

    func predict(_ bins: [[UInt8]], _ row: Int) -> Double {
        var index = 0
        while nodes[index].feature >= 0 {
            let node = nodes[index]
            let bin = Int(bins[node.feature][row])
            let goesLeft: Bool
            if let set = node.categoriesLeft {
                goesLeft = set[bin]
            } else if bin == GradientBoosting.missingBin {
                goesLeft = node.missingLeft
            } else {
                goesLeft = bin <= node.threshold
            }
            index = goesLeft ? node.left : node.right
        }
        return nodes[index].value
    }
}

/// Grows one tree best-first on per-node histograms of gradients and hessians.
struct TreeBuilder {
    let bins: [[UInt8]]
    let binners: [Binner]
    let settings: GradientBoosting.Settings
    static let binCount = 256

    struct Split {
        var gain: Double
        var feature: Int
        var threshold: Int
        var missingLeft: Bool
        var categoriesLeft: [Bool]?
    }

    /// Per feature, 256 bins of (gradient, hessian, count).
    typealias Histogram = [Double]

    struct Leaf {
        var node: Int
        var rows: [Int]
        var histogram: Histogram
        var gradient: Double, hessian: Double
        var split: Split?
    }

    func histogram(_ rows: [Int], _ g: [Double], _ h: [Double]) -> Histogram {
        let features = bins.count
        var out = Histogram(repeating: 0, count: features * Self.binCount * 3)
        out.withUnsafeMutableBufferPointer { hist in
            for f in 0..<features {
                bins[f].withUnsafeBufferPointer { column in
                    let base = f * Self.binCount * 3
                    for row in rows {
                        let slot = base + Int(column[row]) * 3
                        hist[slot] += g[row]
                        hist[slot + 1] += h[row]
                        hist[slot + 2] += 1
                    }
                }
            }
        }
        return out
    }

    func score(_ g: Double, _ h: Double) -> Double { g * g / (h + settings.l2) }

    func bestSplit(_ histogram: Histogram, gradient G: Double, hessian H: Double, count: Int) -> Split? {
        guard count >= 2 * settings.minLeafRows, H >= 1e-3 else { return nil }
        let parent = score(G, H)
        var best: Split?
        let minRows = Double(settings.minLeafRows)
        for f in bins.indices {
            let base = f * Self.binCount * 3
            let missing = base + GradientBoosting.missingBin * 3
            let mg = histogram[missing], mh = histogram[missing + 1], mc = histogram[missing + 2]
            if binners[f].categorical {
                // Categories (missing among them) ordered by g / h, then scanned like a number.
                var present: [Int] = []
                for b in 0..<Self.binCount where histogram[base + b * 3 + 2] > 0 { present.append(b) }
                guard present.count >= 2 else { continue }
                let ratio = { (b: Int) -> Double in histogram[base + b * 3] / (histogram[base + b * 3 + 1] + 10) }
                present.sort { ratio($0) < ratio($1) || (ratio($0) == ratio($1) && $0 < $1) }
                var gl = 0.0, hl = 0.0, cl = 0.0
                for position in 0..<(present.count - 1) {
                    let b = present[position]
                    gl += histogram[base + b * 3]; hl += histogram[base + b * 3 + 1]; cl += histogram[base + b * 3 + 2]
                    let cr = Double(count) - cl
                    guard cl >= minRows, cr >= minRows, hl >= 1e-3, H - hl >= 1e-3 else { continue }
                    let gain = score(gl, hl) + score(G - gl, H - hl) - parent
                    if gain > (best?.gain ?? 1e-12) {
                        var set = [Bool](repeating: false, count: Self.binCount)
                        for chosen in present[...position] { set[chosen] = true }
                        best = Split(gain: gain, feature: f, threshold: 0, missingLeft: set[GradientBoosting.missingBin],
                                     categoriesLeft: set)
                    }
                }
                continue
            }
            var gl = 0.0, hl = 0.0, cl = 0.0
            for b in 0..<(Self.binCount - 2) {
                gl += histogram[base + b * 3]; hl += histogram[base + b * 3 + 1]; cl += histogram[base + b * 3 + 2]
                if cl == 0 { continue }
                // Missing values to the right, then to the left.
                for missingLeft in [false, true] where !(missingLeft && mc == 0) {
                    let g = gl + (missingLeft ? mg : 0), h = hl + (missingLeft ? mh : 0), c = cl + (missingLeft ? mc : 0)
                    let cr = Double(count) - c
                    guard c >= minRows, cr >= minRows, h >= 1e-3, H - h >= 1e-3 else { continue }
                    let gain = score(g, h) + score(G - g, H - h) - parent
                    if gain > (best?.gain ?? 1e-12) {
                        best = Split(gain: gain, feature: f, threshold: b, missingLeft: missingLeft, categoriesLeft: nil)
                    }
                }
                if Double(count) - cl - mc <= 0 { break }
            }
        }
        return best
    }

    /// The tree, and the training rows of each leaf with the leaf's value.
    func build(rows: [Int], gradients g: [Double], hessians h: [Double], shrinkage: Double)
        -> (tree: Tree, leaves: [(rows: [Int], value: Double)]) {
        var nodes = [Tree.Node()]
        let rootHistogram = histogram(rows, g, h)
        var G = 0.0, H = 0.0
        for row in rows { G += g[row]; H += h[row] }
        var leaves = [Leaf(node: 0, rows: rows, histogram: rootHistogram, gradient: G, hessian: H, split: nil)]
        leaves[0].split = bestSplit(rootHistogram, gradient: G, hessian: H, count: rows.count)
        while leaves.count < settings.maxLeaves {
            // The leaf whose split gains most (the first such leaf on ties).
            var chosen: Int?
            for (index, leaf) in leaves.enumerated() {
                guard let split = leaf.split else { continue }
                if chosen == nil || split.gain > leaves[chosen!].split!.gain { chosen = index }
            }
            guard let index = chosen else { break }
            let leaf = leaves.remove(at: index)
            let split = leaf.split!
            let column = bins[split.feature]
            var left: [Int] = [], right: [Int] = []
            left.reserveCapacity(leaf.rows.count)
            right.reserveCapacity(leaf.rows.count)
            for row in leaf.rows {
                let bin = Int(column[row])
                let goesLeft: Bool
                if let set = split.categoriesLeft { goesLeft = set[bin] }
                else if bin == GradientBoosting.missingBin { goesLeft = split.missingLeft }
                else { goesLeft = bin <= split.threshold }
                if goesLeft { left.append(row) } else { right.append(row) }
            }
            // Histogram of the smaller child; the larger one's is the parent's minus it.
            let smallIsLeft = left.count <= right.count
            let small = histogram(smallIsLeft ? left : right, g, h)
            var large = leaf.histogram
            for i in large.indices { large[i] -= small[i] }
            let (leftHistogram, rightHistogram) = smallIsLeft ? (small, large) : (large, small)
            var gl = 0.0, hl = 0.0
            for row in left { gl += g[row]; hl += h[row] }
            let gr = leaf.gradient - gl, hr = leaf.hessian - hl
            let leftIndex = nodes.count, rightIndex = nodes.count + 1
            nodes.append(Tree.Node())
            nodes.append(Tree.Node())
            nodes[leaf.node].feature = split.feature
            nodes[leaf.node].threshold = split.threshold
            nodes[leaf.node].missingLeft = split.missingLeft
            nodes[leaf.node].categoriesLeft = split.categoriesLeft
            nodes[leaf.node].left = leftIndex
            nodes[leaf.node].right = rightIndex
            var leftLeaf = Leaf(node: leftIndex, rows: left, histogram: leftHistogram, gradient: gl, hessian: hl, split: nil)
            var rightLeaf = Leaf(node: rightIndex, rows: right, histogram: rightHistogram, gradient: gr, hessian: hr, split: nil)
            leftLeaf.split = bestSplit(leftHistogram, gradient: gl, hessian: hl, count: left.count)
            rightLeaf.split = bestSplit(rightHistogram, gradient: gr, hessian: hr, count: right.count)
            leaves.insert(rightLeaf, at: index)
            leaves.insert(leftLeaf, at: index)
        }
        for leaf in leaves {
            nodes[leaf.node].value = -shrinkage * leaf.gradient / (leaf.hessian + settings.l2)
        }
        return (Tree(nodes: nodes), leaves.map { ($0.rows, nodes[$0.node].value) })
    }
}
