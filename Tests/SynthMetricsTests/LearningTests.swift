import Foundation
import SynthKit
import SynthMath
import Testing
@testable import SynthMetrics

/// Our classifiers against scikit-learn's on adult.csv (the fixture and the command that made it:
/// bench/fixtures/make_hgb_fixture.py): every fifth row is a test row.
struct LearningTests {
    struct Scored: Decodable { let accuracy: Double, f1: Double, roc_auc: Double }
    struct Fixture: Decodable { let hgb: Scored, logistic: Scored, train_rows: Int, test_rows: Int }

    static let fixture: Fixture = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: TestData.fixtures + "/hgb_adult.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    static let adult: (train: Table, test: Table) = {
        let table = try! CSVReader.read(path: TestData.shared("adult.csv"))
        let rows = Array(0..<table.rowCount)
        return (table.rows(rows.filter { $0 % 5 != 0 }), table.rows(rows.filter { $0 % 5 == 0 }))
    }()

    @Test func boostedTreesMatchScikitLearnOnAdult() throws {
        let (train, test) = Self.adult
        #expect(train.rowCount == Self.fixture.train_rows && test.rowCount == Self.fixture.test_rows)
        let task = Targets.task(for: train.column(named: "income")!)
        #expect(task == .classification(classes: ["<=50K", ">50K"]))
        let y = Targets(train.column(named: "income")!, task: task).values
        let truth = Targets(test.column(named: "income")!, task: task).values.map { Int($0) }
        let encoder = FeatureEncoder(training: train, excluding: "income")
        let (columns, categorical) = try encoder.raw(train)
        let model = try GradientBoosting(columns: columns, categorical: categorical, targets: y, task: task, random: Philox(seed: 1))
        let predictions = model.predict(columns: try encoder.raw(test).columns)
        let accuracy = Scores.accuracy(predictions.classes, truth)
        let auc = try #require(Scores.rocAUC(predictions, truth))
        print("hgb accuracy \(accuracy) (scikit-learn \(Self.fixture.hgb.accuracy)), AUC \(auc) (\(Self.fixture.hgb.roc_auc)), iterations \(model.iterationsRun)")
        #expect(abs(accuracy - Self.fixture.hgb.accuracy) <= 0.01)
        #expect(abs(auc - Self.fixture.hgb.roc_auc) <= 0.01)
    }

    /// The loss over a matrix's nonzero cells is the loss over all of them: value and gradient agree
    /// to rounding, for two and for three classes.
    @Test func theSparseLossIsTheDenseLoss() throws {
        var random = Philox(seed: 5, stream: 1)
        let n = 300, d = 12
        // Two-thirds zeros, as one-hot columns leave them.
        let x = (0..<(n * d)).map { _ in random.nextUniform() < 0.67 ? 0 : random.nextNormal() }
        for k in [2, 3] {
            let y = (0..<n).map { _ in Double(random.nextInt(below: k)) }
            let w = (0..<((d + 1) * k)).map { _ in 0.3 * random.nextNormal() }
            let sparse = try #require(SparseRows(x, rows: n, width: d, densestShare: 0.5))
            #expect(sparse.values.count < n * d / 2)
            let (denseValue, denseGradient) = LinearModel.softmaxLoss(w, x: x, rows: n, width: d, classes: k, y: y, lambda: 0.01)
            let (sparseValue, sparseGradient) = LinearModel.softmaxLoss(w, sparse: sparse, classes: k, y: y, lambda: 0.01)
            #expect(abs(denseValue - sparseValue) <= 1e-12 * abs(denseValue))
            #expect(zip(denseGradient, sparseGradient).allSatisfy { abs($0 - $1) <= 1e-12 })
        }
        #expect(SparseRows(x, rows: n, width: d, densestShare: 0.2) == nil, "a denser matrix stays dense")
    }

    @Test func logisticRegressionMatchesScikitLearnOnAdult() throws {
        let (train, test) = Self.adult
        let task = Targets.task(for: train.column(named: "income")!)
        let y = Targets(train.column(named: "income")!, task: task).values
        let truth = Targets(test.column(named: "income")!, task: task).values.map { Int($0) }
        let encoder = FeatureEncoder(training: train, excluding: "income")
        let model = try LinearModel(x: try encoder.dense(train), rows: train.rowCount, width: encoder.width, targets: y, task: task)
        let predictions = model.predict(try encoder.dense(test), rows: test.rowCount)
        let accuracy = Scores.accuracy(predictions.classes, truth)
        let auc = try #require(Scores.rocAUC(predictions, truth))
        print("logistic accuracy \(accuracy) (scikit-learn \(Self.fixture.logistic.accuracy)), AUC \(auc) (\(Self.fixture.logistic.roc_auc))")
        #expect(abs(accuracy - Self.fixture.logistic.accuracy) <= 0.005)
        #expect(abs(auc - Self.fixture.logistic.roc_auc) <= 0.005)
    }
}
