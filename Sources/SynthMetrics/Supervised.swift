import Foundation
import SynthKit
import SynthMath

/// The two model families the utility validators train: a linear model (logistic regression for
/// classes, ridge regression for numbers) and histogram gradient-boosted trees.
public enum ModelFamily: String, Sendable, CaseIterable {
    case linear, boosting

    /// The name in metric names: "logistic" for a linear classifier.
    public func label(for task: LearningTask) -> String {
        switch self {
        case .linear: task.isClassification ? "logistic" : "linear"
        case .boosting: "boosting"
        }
    }
}

/// A supervised problem on tables: the target column, its task, and the rows that have a target.
public struct SupervisedProblem: Sendable {
    public let target: String
    public let task: LearningTask

    /// The task is read from the reference (real training) table's target column.
    public init(target: String, reference: Table, task override: LearningTask? = nil) throws {
        guard let column = reference.column(named: target) else { throw MetricsError.noTarget(target) }
        self.target = target
        self.task = override ?? Targets.task(for: column)
    }

    /// The rows of `table` whose target is present (and a known class), and their targets.
    public func labelled(_ table: Table) throws -> (table: Table, targets: [Double], dropped: Int) {
        guard let column = table.column(named: target) else { throw MetricsError.noTarget(target) }
        let values = Targets(column, task: task).values
        let keep = values.indices.filter { !values[$0].isNaN }
        return (table.rows(keep), keep.map { values[$0] }, values.count - keep.count)
    }

    /// Trains `family` on `train` (features encoded from `train`) and predicts `test`.
    public func fitAndPredict(_ family: ModelFamily, train: Table, targets: [Double], test: Table, random: Philox,
                              cancelled: () throws -> Void = {}) throws -> Predictions {
        let encoder = FeatureEncoder(training: train, excluding: target)
        switch family {
        case .linear:
            let model = try LinearModel(x: try encoder.dense(train), rows: train.rowCount, width: encoder.width,
                                        targets: targets, task: task)
            return model.predict(try encoder.dense(test), rows: test.rowCount)
        case .boosting:
            let (columns, categorical) = try encoder.raw(train)
            let model = try GradientBoosting(columns: columns, categorical: categorical, targets: targets, task: task,
                                             random: random, cancelled: cancelled)
            return model.predict(columns: try encoder.raw(test).columns)
        }
    }

    /// The distinct classes among `targets` (as indices).
    public static func classesPresent(_ targets: [Double]) -> Set<Int> { Set(targets.map { Int($0) }) }
}
