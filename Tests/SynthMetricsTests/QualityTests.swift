import Foundation
import SynthKit
import SynthMath
import Testing
@testable import SynthMetrics

/// SDMetrics' QualityReport on four pairs of tables (the fixture and the command that made it:
/// bench/fixtures/make_quality_fixture.py).
struct QualityTests {
    struct Pair: Decodable {
        let rows: Int
        let sdtypes: [String: String]
        let quality: Double
        let column_shapes: Double
        let column_pair_trends: Double
    }
    struct Fixture: Decodable { let pairs: [String: Pair] }

    static let fixture: Fixture = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: TestData.fixtures + "/quality.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    static func tables(_ name: String, _ pair: Pair) throws -> (real: Table, synthetic: Table) {
        var options = CSVOptions()
        for (column, sdtype) in pair.sdtypes {
            options.kindOverrides[column] = switch sdtype {
            case "numerical": .continuous
            case "datetime": .datetime
            case "boolean": .boolean
            default: .categorical
            }
        }
        let full = try CSVReader.read(path: TestData.shared(name + ".csv"), options: options)
        let synthetic = try CSVReader.read(path: TestData.fixtures + "/quality/\(name).csv", options: options)
        return (full.rows(Array(0..<pair.rows)), synthetic)
    }

    @Test(arguments: ["insurance", "german_credit", "nyc_taxis", "adult"])
    func qualityMatchesSDMetrics(_ name: String) throws {
        let pair = try #require(Self.fixture.pairs[name])
        let (real, synthetic) = try Self.tables(name, pair)
        let report = try QualityReport(real: real, synthetic: synthetic)
        let shapes = try #require(report.columnShapes), trends = try #require(report.columnPairTrends)
        let quality = try #require(report.score)
        #expect(abs(shapes - pair.column_shapes) <= 1e-9, "\(name) column shapes \(shapes) vs \(pair.column_shapes)")
        #expect(abs(trends - pair.column_pair_trends) <= 1e-6, "\(name) pair trends \(trends) vs \(pair.column_pair_trends)")
        #expect(abs(quality - pair.quality) <= 1e-6, "\(name) quality \(quality) vs \(pair.quality)")
    }

    @Test func constantColumnsLeaveTheirPairsWithoutAScore() throws {
        let pair = try #require(Self.fixture.pairs["nyc_taxis"])
        let (real, synthetic) = try Self.tables("nyc_taxis", pair)
        let report = try QualityReport(real: real, synthetic: synthetic)
        let unscored = report.pairs.filter { $0.score == nil }
        #expect(!unscored.isEmpty)
        for score in unscored {
            #expect([score.first, score.second].contains("passengers"))
            #expect(score.metric == "correlation_similarity")
            #expect(score.reason?.contains("constant in the synthetic table") == true)
        }
        #expect(report.pairs.allSatisfy { $0.score.map { $0.isFinite && $0 >= 0 && $0 <= 1 } ?? true })
    }
}

enum TestData {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let fixtures = root + "/Tests/SynthMetricsTests/Fixtures"
    static let dataFolder = ProcessEnvironment.current["SYNTHLAB_DATA_DIR"]
        ?? URL(fileURLWithPath: root).deletingLastPathComponent().appendingPathComponent("shared/data").path
    static func shared(_ name: String) -> String { dataFolder + "/" + name }
}

struct CramersVTests {
    /// The sparse form (for columns with many codes) gives the dense form's value.
    @Test func sparseAndDenseAgree() throws {
        var random = SynthMath.Philox(seed: 4)
        let x = (0..<5000).map { _ in Int32(random.nextInt(below: 7)) }
        let y = x.map { code in Int32((Int(code) + random.nextInt(below: 3)) % 9) }
        let dense = try #require(QualityReport.cramersV(x, y, codes: (7, 9)))
        let sparse = try #require(QualityReport.cramersVSparse(x, y))
        #expect(abs(dense - sparse) < 1e-12)
        #expect(dense > 0.3 && dense < 1)
        #expect(QualityReport.cramersV([1, 1, 1], [0, 1, 2], codes: (2, 3)) == nil)
    }
}
