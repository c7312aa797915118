import SynthKit
import SynthMath
import SynthMetrics

/// Machine-learning utility: models trained on the synthetic table and tested on the real holdout,
/// beside the same models trained on the real table (the baseline synthetic data should approach).
/// Logistic regression and boosted trees for a categorical target (accuracy, F1 and ROC AUC; F1 of
/// the `positive` class for two classes, macro F1 otherwise), ridge regression and boosted trees
/// for a numeric one (R²).
public struct UtilityValidator: Validator {
    public static let descriptor = PluginDescriptor(
        id: "utility",
        name: "ML utility (train on synthetic, test on real)",
        version: "1.0.0",
        kind: .validator,
        summary: "Models trained on synthetic vs real rows, scored on the real holdout: accuracy, F1, ROC AUC or R2.",
        parameters: [
            .choice("models", ["both", "linear", "boosting"], default: "both", help: "Which model families to train."),
            .string("positive", default: "", help: "The positive class for F1 with two classes (default: the rarer class of the real table)."),
        ],
        validatorNeeds: [.holdout, .target])

    let families: [ModelFamily]
    let positive: String?

    public init(parameters: Parameters, context: PluginContext) throws {
        families = switch parameters.string("models") {
        case "linear": [.linear]
        case "boosting": [.boosting]
        default: [.linear, .boosting]
        }
        positive = Self.optionalText(parameters, "positive")
    }

    public func validate(_ input: ValidationInput, context: PluginContext) throws -> [Metric] {
        let setting = try UtilitySetting(input, positive: positive)
        var metrics: [Metric] = []
        for family in families {
            for (source, suffix) in [(input.synthetic, ""), (input.real, "_real")] {
                try context.checkCancellation()
                metrics += try setting.scores(family, trainedOn: source, suffix: suffix, context: context)
            }
        }
        return metrics
    }
}

/// What the utility validators share: the problem, the holdout with its targets, the positive class.
struct UtilitySetting {
    let problem: SupervisedProblem
    let holdout: Table
    let truth: [Double]
    let positive: Int?

    init(_ input: ValidationInput, positive name: String?) throws {
        guard let target = input.target else { throw PluginError.invalidArgument("no target column (give --target)") }
        guard let holdout = input.holdout else { throw PluginError.invalidArgument("no holdout table (give --holdout)") }
        do {
            problem = try SupervisedProblem(target: target, reference: input.real)
            let labelled = try problem.labelled(holdout)
            self.holdout = labelled.table
            truth = labelled.targets
        } catch let error as MetricsError {
            throw PluginError.invalidArgument(error.description)
        }
        if case .classification(let classes) = problem.task, classes.count == 2 {
            if let name {
                guard let index = classes.firstIndex(of: name) else {
                    throw PluginError.invalidArgument("positive class '\(name)' is not a class of '\(problem.target)' (\(classes.joined(separator: ", ")))")
                }
                positive = index
            } else {
                let values = (try? problem.labelled(input.real).targets) ?? []
                let ones = values.filter { $0 == 1 }.count
                positive = ones * 2 <= values.count ? 1 : 0
            }
        } else {
            positive = nil
        }
    }

    /// The scores of one model family trained on `source`, named with `suffix`.
    func scores(_ family: ModelFamily, trainedOn source: Table, suffix: String, context: PluginContext) throws -> [Metric] {
        let label = family.label(for: problem.task)
        let side = suffix.isEmpty ? "synthetic" : "real"
        // The baseline trained on real rows does not depend on the generator: informational.
        let goal: MetricGoal = suffix.isEmpty ? .maximize : .none
        let names: [String] = problem.task.isClassification ? ["accuracy", "f1", "roc_auc"] : ["r2"]
        func unavailable(_ reason: String) -> [Metric] {
            names.map { Metric(name: "\(label)_\($0)\(suffix)", notApplicable: reason, goal: goal,
                               range: $0 == "r2" ? -Double.infinity...1 : 0...1) }
        }
        let labelled: (table: Table, targets: [Double], dropped: Int)
        do { labelled = try problem.labelled(source) } catch let error as MetricsError {
            throw PluginError.invalidArgument("the \(side) table: \(error.description)")
        }
        if labelled.dropped > 0 {
            context.log(.info, "utility: \(labelled.dropped) \(side) rows have no usable '\(problem.target)' and are left out")
        }
        guard labelled.targets.count >= 2 else { return unavailable("the \(side) table has fewer than two rows with a target") }
        guard holdout.rowCount > 0 else { return unavailable("the holdout has no row with a target") }
        if problem.task.isClassification, SupervisedProblem.classesPresent(labelled.targets).count < 2 {
            return unavailable("the \(side) table's '\(problem.target)' has a single class")
        }
        if !problem.task.isClassification, Set(labelled.targets).count < 2 {
            return unavailable("the \(side) table's '\(problem.target)' is constant")
        }
        let predictions: Predictions
        do {
            predictions = try problem.fitAndPredict(family, train: labelled.table, targets: labelled.targets, test: holdout,
                                                    random: context.random("utility.\(label)\(suffix)"),
                                                    cancelled: { try context.checkCancellation() })
        } catch let error as MetricsError {
            return unavailable("the model could not be fitted: \(error.description)")
        }
        if !problem.task.isClassification {
            return [Metric(name: "\(label)_r2\(suffix)", value: Scores.r2(predictions.values, truth),
                           orElse: "the holdout's target is constant", goal: goal, range: -Double.infinity...1)]
        }
        let truthClasses = truth.map { Int($0) }
        let predicted = predictions.classes
        let f1 = positive.map { Scores.f1(predicted, truthClasses, positive: $0) } ?? Scores.macroF1(predicted, truthClasses)
        return [
            Metric(name: "\(label)_accuracy\(suffix)", value: Scores.accuracy(predicted, truthClasses), goal: goal, range: 0...1),
            Metric(name: "\(label)_f1\(suffix)", value: f1, goal: goal, range: 0...1),
            Metric(name: "\(label)_roc_auc\(suffix)", value: Scores.rocAUC(predictions, truthClasses),
                   orElse: "the holdout's '\(problem.target)' has a single class", goal: goal, range: 0...1),
        ]
    }
}
