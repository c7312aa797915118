import Foundation
import SynthKit
import SynthMath
import SynthNN

/// CTGAN's conditional vector and training-by-sampling (Xu et al. 2019, §4.3). The discrete
/// columns are the categorical and boolean ones; the conditional vector is their one-hot spans
/// side by side. In training, each row picks a discrete column uniformly and one of its categories
/// with probability proportional to log(1 + count), and the real row it is compared with is drawn
/// among the rows that have that category. In generation, each row's condition is a discrete
/// column picked uniformly and one of its categories with its frequency in the training rows, so
/// that the rows made under each condition mix back to the table's distribution,
/// P(row) = Σₖ P_G(row | Dᵢ = k) P(Dᵢ = k) (§4.3; the authors' code picks a training row's category).
struct ConditionVector: Codable, Equatable {
    struct Discrete: Codable, Equatable {
        /// Index of the column in the table.
        let column: Int
        /// The column's span in the encoded data.
        let dataStart: Int
        let width: Int
        /// Its span in the conditional vector.
        let condStart: Int
        /// Probability of each category when this column is picked in training (log frequency or frequency).
        let probabilities: [Double]
        /// Probability of each category when this column is picked in generation: its share of
        /// the training rows (uniform under privacy, where no counts are used); nil in models saved
        /// by ctgan 1.0.0, which generate with `probabilities`.
        let frequencies: [Double]?
    }

    let discrete: [Discrete]
    let width: Int

    /// With `uniform`, every category of a column is equally likely (no counts are used).
    init(coder: TabularCoder, encoded: [Float], rows: Int, logFrequency: Bool, uniform: Bool = false) {
        var list: [Discrete] = []
        var condStart = 0
        for (index, layout) in coder.columns.enumerated() {
            guard case .categorical(let encoder) = layout.transform else { continue }
            var counts = [Double](repeating: uniform ? 1 : 0, count: layout.width)
            // Uniform conditions (under privacy, where every column has a missing category) ask
            // for no missing cell: a column's missing rate comes from the rows the generator makes
            // freely, not from a share of conditions that no count sets.
            if uniform, encoder.domain.hasMissing, layout.width > 1 {
                counts[layout.width - 1] = 0
            }
            if !uniform {
                for row in 0..<rows {
                    for k in 0..<layout.width where encoded[row * coder.width + layout.start + k] != 0 { counts[k] += 1 }
                }
            }
            func normalized(_ weights: [Double]) -> [Double] {
                let total = weights.reduce(0, +)
                return weights.map { total > 0 ? $0 / total : 1 / Double(layout.width) }
            }
            list.append(Discrete(column: index, dataStart: layout.start, width: layout.width, condStart: condStart,
                                 probabilities: normalized(logFrequency ? counts.map { Foundation.log($0 + 1) } : counts),
                                 frequencies: normalized(counts)))
            condStart += layout.width
        }
        discrete = list
        width = condStart
    }

    /// A training batch of conditions: the vectors (batch × width), the mask of which discrete
    /// column each row picked (batch × discrete.count), and the picks.
    func sampleTraining(_ batch: Int, random: inout Philox) -> (cond: [Float], mask: [Float], picks: [(discrete: Int, level: Int)]) {
        var cond = [Float](repeating: 0, count: batch * width)
        var mask = [Float](repeating: 0, count: batch * discrete.count)
        var picks: [(Int, Int)] = []
        picks.reserveCapacity(batch)
        // Each column's cumulative probabilities, once per batch rather than once per row.
        let cumulative = discrete.map { column in
            var sums = column.probabilities
            for k in sums.indices.dropFirst() { sums[k] += sums[k - 1] }
            return sums
        }
        for row in 0..<batch {
            let d = random.nextInt(below: discrete.count)
            let level = random.nextIndex(cumulative: cumulative[d])
            cond[row * width + discrete[d].condStart + level] = 1
            mask[row * discrete.count + d] = 1
            picks.append((d, level))
        }
        return (cond, mask, picks)
    }

    /// Conditions for generation: one (column, category) pair per row, over all pairs, with
    /// weight the category's share within its column (`byFrequency`, the paper's) or its training
    /// probability (`byFrequency` false: log frequency when training used it, as ctgan 0.12 samples).
    func sampleGeneration(_ batch: Int, byFrequency: Bool, random: inout Philox) -> [Float] {
        var weights: [Double] = [], positions: [Int] = []
        for d in discrete {
            for (level, p) in ((byFrequency ? d.frequencies : nil) ?? d.probabilities).enumerated() where p > 0 {
                weights.append(p)
                positions.append(d.condStart + level)
            }
        }
        var cumulative = weights
        for i in 1..<Swift.max(1, cumulative.count) { cumulative[i] += cumulative[i - 1] }
        var cond = [Float](repeating: 0, count: batch * width)
        for row in 0..<batch { cond[row * width + positions[random.nextIndex(cumulative: cumulative)]] = 1 }
        return cond
    }

    /// CTGAN's conditional loss: for each row, the cross-entropy of the picked column's span of raw
    /// generator output against the picked category, summed over rows, divided by the rows.
    func crossEntropy(_ raw: Tensor, cond: Tensor, mask: Tensor) -> Tensor {
        Loss.spanCrossEntropy(raw, spans: discrete.map { $0.dataStart..<($0.dataStart + $0.width) }, targets: cond,
                              targetStarts: discrete.map(\.condStart), weights: mask) / Float(raw.rows)
    }

    /// Every row conditioned on one category.
    func fixed(_ batch: Int, discrete d: Int, level: Int) -> [Float] {
        var cond = [Float](repeating: 0, count: batch * width)
        for row in 0..<batch { cond[row * width + discrete[d].condStart + level] = 1 }
        return cond
    }
}

/// For each discrete column and category, the training rows that have it (kept only while fitting).
struct RowsByCategory {
    let rows: [[[Int]]]

    init(conditions: ConditionVector, encoded: [Float], rows n: Int, width: Int) {
        rows = conditions.discrete.map { d in
            var lists = [[Int]](repeating: [], count: d.width)
            for row in 0..<n {
                for k in 0..<d.width where encoded[row * width + d.dataStart + k] != 0 { lists[k].append(row) }
            }
            return lists
        }
    }

    /// One random training row with category `level` of discrete column `d`.
    func draw(_ d: Int, _ level: Int, random: inout Philox) -> Int {
        let list = rows[d][level]
        return list[random.nextInt(below: list.count)]
    }
}
