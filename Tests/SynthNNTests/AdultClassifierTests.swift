import Foundation
import SynthKit
import SynthMath
import Testing
@testable import SynthNN

/// The Adult census table as a classification problem: one-hot categories (missing is its own
/// level), standardized numbers, income > 50K as the label.
struct AdultProblem {
    let features: Tensor
    let labels: [Int]

    static var dataFolder: String {
        if let folder = ProcessEnvironment.current["SYNTHLAB_DATA_DIR"] { return folder }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("shared/data").path
    }

    static func load() throws -> AdultProblem {
        let table = try CSVReader.read(path: dataFolder + "/adult.csv")
        guard let income = table.column(named: "income"), case .categorical(let codes, let levels) = income.values,
              let positive = levels.firstIndex(of: ">50K") else { throw CocoaError(.fileReadCorruptFile) }
        var columns: [[Float]] = []
        for column in table.columns where column.name != "income" {
            switch column.values {
            case .categorical(let codes, let levels):
                for level in 0...levels.count {
                    columns.append(codes.indices.map { row in
                        column.isMissing(row) ? (level == levels.count ? 1 : 0) : (Int(codes[row]) == level ? 1 : 0)
                    })
                }
            default:
                let values = (0..<table.rowCount).map { Double(column.text(at: $0) ?? "0") ?? 0 }
                let (mean, sd) = meanAndStandardDeviation(values)!
                columns.append(values.map { Float(($0 - mean) / max(sd, 1e-9)) })
            }
        }
        let width = columns.count
        var data = [Float](repeating: 0, count: table.rowCount * width)
        for (j, column) in columns.enumerated() { for i in 0..<table.rowCount { data[i * width + j] = column[i] } }
        return AdultProblem(features: Tensor(rows: table.rowCount, columns: width, data: data),
                            labels: codes.map { Int($0) == positive ? 1 : 0 })
    }
}

@Suite("An MLP classifier on the Adult census table")
struct AdultClassifierTests {
    @Test func reachesAtLeast84PercentHoldoutAccuracy() throws {
        let problem = try AdultProblem.load()
        let n = problem.labels.count
        // A fixed 80/20 split.
        var split = Philox(seed: 2026)
        let order = split.permutation(n)
        let trainRows = Array(order[..<(n * 8 / 10)]), testRows = Array(order[(n * 8 / 10)...])

        var random = Philox(seed: 7)
        let width = problem.features.columns
        let model = Sequential([Linear(width, 64, random: &random), Activation(.relu),
                                Linear(64, 32, random: &random), Activation(.relu), Linear(32, 2, random: &random)])
        let optimizer = Adam(model.parameters, learningRate: 1e-3)
        var shuffle = random.derive("batches")
        for _ in 0..<6 {
            var epoch = trainRows
            shuffle.shuffle(&epoch)
            for start in stride(from: 0, to: epoch.count, by: 256) {
                let batch = Array(epoch[start..<min(start + 256, epoch.count)])
                let loss = Loss.crossEntropy(model(problem.features.gatherRows(batch)), targets: batch.map { problem.labels[$0] })
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
            }
        }
        model.isTraining = false
        let logits = GradMode.noGrad { model(problem.features.gatherRows(testRows)) }
        let correct = testRows.indices.filter { i in
            (logits[i, 1] > logits[i, 0] ? 1 : 0) == problem.labels[testRows[i]]
        }.count
        let accuracy = Double(correct) / Double(testRows.count)
        #expect(accuracy >= 0.84, "holdout accuracy \(accuracy)")
        print("adult MLP holdout accuracy: \(accuracy) on \(testRows.count) rows, \(width) features")
    }
}
