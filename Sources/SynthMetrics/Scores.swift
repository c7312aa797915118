import Foundation

/// Scores of predictions against true targets.
public enum Scores {
    public static func accuracy(_ predicted: [Int], _ truth: [Int]) -> Double {
        guard !truth.isEmpty else { return .nan }
        return Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)
    }

    /// F1 of one class: 2·TP / (2·TP + FP + FN); 0 when the class is neither predicted nor present
    /// (scikit-learn's `zero_division=0`).
    public static func f1(_ predicted: [Int], _ truth: [Int], positive: Int) -> Double {
        var tp = 0.0, fp = 0.0, fn = 0.0
        for (p, t) in zip(predicted, truth) {
            if p == positive && t == positive { tp += 1 } else if p == positive { fp += 1 } else if t == positive { fn += 1 }
        }
        return tp == 0 ? 0 : 2 * tp / (2 * tp + fp + fn)
    }

    /// The unweighted mean of every class's F1 (scikit-learn's `average="macro"` over the classes
    /// present in either vector).
    public static func macroF1(_ predicted: [Int], _ truth: [Int]) -> Double {
        let classes = Set(predicted).union(truth).sorted()
        return classes.map { f1(predicted, truth, positive: $0) }.reduce(0, +) / Double(max(classes.count, 1))
    }

    /// The area under the ROC curve of `scores` for the positive rows: the Mann–Whitney statistic
    /// with tied scores counting one half. Nil when either class is absent.
    public static func rocAUC(_ scores: [Double], positive: [Bool]) -> Double? {
        let positives = positive.filter { $0 }.count, negatives = positive.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let ranks = Correlation.averageRanks(scores)
        var sum = 0.0
        for (rank, isPositive) in zip(ranks, positive) where isPositive { sum += rank }
        let p = Double(positives)
        return (sum - p * (p + 1) / 2) / (p * Double(negatives))
    }

    /// One-vs-rest ROC AUC averaged over the classes present in `truth` (scikit-learn's
    /// `multi_class="ovr", average="macro"`); the binary AUC for two classes. Nil when `truth`
    /// holds a single class.
    public static func rocAUC(_ predictions: Predictions, _ truth: [Int]) -> Double? {
        let k = predictions.width
        if k == 2 {
            return rocAUC((0..<predictions.rows).map { predictions.values[$0 * 2 + 1] }, positive: truth.map { $0 == 1 })
        }
        let present = Set(truth)
        guard present.count >= 2 else { return nil }
        let aucs = present.sorted().compactMap { c in
            rocAUC((0..<predictions.rows).map { predictions.values[$0 * k + c] }, positive: truth.map { $0 == c })
        }
        return aucs.reduce(0, +) / Double(aucs.count)
    }

    /// R² = 1 − Σ (y − ŷ)² / Σ (y − ȳ)²; nil when the truth is constant.
    public static func r2(_ predicted: [Double], _ truth: [Double]) -> Double? {
        guard truth.count >= 2 else { return nil }
        let mean = truth.reduce(0, +) / Double(truth.count)
        var residual = 0.0, total = 0.0
        for (p, t) in zip(predicted, truth) {
            residual += (t - p) * (t - p)
            total += (t - mean) * (t - mean)
        }
        return total > 0 ? 1 - residual / total : nil
    }
}
