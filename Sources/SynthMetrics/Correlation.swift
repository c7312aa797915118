import Foundation

/// Correlation coefficients of paired samples.
public enum Correlation {
    /// Pearson's r over the rows where both values are present; nil when fewer than two rows
    /// remain or either variable is constant on them.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        let (a, b) = completePairs(x, y)
        return pearsonComplete(a, b)
    }

    /// Spearman's ρ: Pearson's r of the average ranks (ties share their mean rank), over the rows
    /// where both values are present.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        let (a, b) = completePairs(x, y)
        guard a.count >= 2 else { return nil }
        return pearsonComplete(averageRanks(a), averageRanks(b))
    }

    /// 1-based ranks, tied values sharing the mean of their ranks (scipy's `rankdata`, "average").
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = rank }
            start = end + 1
        }
        return ranks
    }

    static func completePairs(_ x: [Double], _ y: [Double]) -> ([Double], [Double]) {
        var a: [Double] = [], b: [Double] = []
        a.reserveCapacity(x.count)
        b.reserveCapacity(x.count)
        for index in x.indices where !x[index].isNaN && !y[index].isNaN {
            a.append(x[index])
            b.append(y[index])
        }
        return (a, b)
    }

    /// Pearson's r of two samples without missing values (Spearman's ρ when they are ranks).
    public static func pearsonComplete(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count >= 2 else { return nil }
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for index in x.indices {
            let dx = x[index] - mx, dy = y[index] - my
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return nil }
        return min(max(sxy / (sxx.squareRoot() * syy.squareRoot()), -1), 1)
    }
}
