import SynthKit

/// A column of cells as numbers, NaN where missing (continuous, integer, datetime in microseconds,
/// boolean as 0/1); nil for a categorical column.
public func numbersWithMissing(_ column: Column) -> [Double]? {
    var out = [Double](repeating: .nan, count: column.count)
    switch column.values {
    case .continuous(let v): for i in v.indices where !column.isMissing(i) { out[i] = v[i] }
    case .integer(let v): for i in v.indices where !column.isMissing(i) { out[i] = Double(v[i]) }
    case .datetime(let v): for i in v.indices where !column.isMissing(i) { out[i] = Double(v[i]) }
    case .boolean(let v): for i in v.indices where !column.isMissing(i) { out[i] = v[i] ? 1 : 0 }
    case .categorical: return nil
    }
    return out
}

/// Whether a column is compared by its distribution's shape (numbers) or by its categories.
public enum ColumnShape: Sendable {
    case continuous, discrete

    public init(_ kind: ColumnKind) {
        self = kind == .continuous || kind == .integer || kind == .datetime ? .continuous : .discrete
    }
}

/// The cells of two columns of the same variable as codes into one list of labels: the real
/// column's labels in order of first appearance, then labels seen only in the synthetic column.
/// A missing cell is a label of its own (nil).
public struct SharedCategories: Sendable {
    public var labels: [String?]
    public var real: [Int32]
    public var synthetic: [Int32]
    /// How many labels the real column has (the first `realLabelCount` of `labels`).
    public var realLabelCount: Int

    public init(real: Column, synthetic: Column) {
        var index: [String?: Int32] = [:]
        var labels: [String?] = []
        func encoder(_ column: Column) -> [Int32] {
            // Categorical columns map each level once; other kinds go through the cell's text.
            var codes = [Int32](repeating: 0, count: column.count)
            func code(_ label: String?) -> Int32 {
                if let known = index[label] { return known }
                let new = Int32(labels.count)
                index[label] = new
                labels.append(label)
                return new
            }
            switch column.values {
            case .categorical(let levelCodes, let levels):
                var levelMap = [Int32?](repeating: nil, count: levels.count)
                var missingCode: Int32?
                for row in 0..<column.count {
                    if column.isMissing(row) {
                        if missingCode == nil { missingCode = code(nil) }
                        codes[row] = missingCode!
                    } else {
                        let level = Int(levelCodes[row])
                        if levelMap[level] == nil { levelMap[level] = code(levels[level]) }
                        codes[row] = levelMap[level]!
                    }
                }
            case .boolean(let values):
                var map: [Int32?] = [nil, nil, nil]
                for row in 0..<column.count {
                    let slot = column.isMissing(row) ? 2 : (values[row] ? 1 : 0)
                    if map[slot] == nil { map[slot] = code(slot == 2 ? nil : (slot == 1 ? "true" : "false")) }
                    codes[row] = map[slot]!
                }
            default:
                for row in 0..<column.count { codes[row] = code(column.text(at: row)) }
            }
            return codes
        }
        self.real = encoder(real)
        self.realLabelCount = labels.count
        self.synthetic = encoder(synthetic)
        self.labels = labels
    }

    public var realCounts: [Double] { counts(real) }
    public var syntheticCounts: [Double] { counts(synthetic) }

    /// The index of the missing label, if either column has missing cells.
    public var missingLabel: Int? { labels.firstIndex { $0 == nil } }

    /// Counts of the present labels only (the missing label, if any, counts 0).
    public var presentCounts: (real: [Double], synthetic: [Double]) {
        var real = realCounts, synthetic = syntheticCounts
        if let missing = missingLabel {
            real[missing] = 0
            synthetic[missing] = 0
        }
        return (real, synthetic)
    }

    private func counts(_ codes: [Int32]) -> [Double] {
        var counts = [Double](repeating: 0, count: labels.count)
        for code in codes { counts[Int(code)] += 1 }
        return counts
    }
}
