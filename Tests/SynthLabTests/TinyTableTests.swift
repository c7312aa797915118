import Foundation
import SynthKit
import SynthMath
import Testing
@testable import SynthLab

/// Every generator, plain and private, on tiny tables drawn at random (one to six rows of
/// numbers, integers, categories, booleans and dates; some constant, some missing in every
/// cell): it fits and samples rows of the table's columns and kinds, each value valid, or it
/// refuses the table with a reason. None traps.
@Suite("generators on tiny random tables")
struct TinyTableTests {
    static let registry = PluginRegistry(searchPath: [try! Support.pluginFolder()])

    static func column(_ name: String, kind: Int, rows: Int, random: inout Philox) -> Column {
        let share = [0, 0.3, 1][random.nextInt(below: 3)]
        let missing = (0..<rows).map { _ in random.nextUniform() < share }
        let constant = random.nextUniform() < 0.3
        switch kind {
        case 0: return Column(name: name, values: .continuous((0..<rows).map { _ in constant ? 2.5 : random.nextNormal() * 100 }), missing: missing)
        case 1: return Column(name: name, values: .integer((0..<rows).map { _ in constant ? 7 : Int64(random.nextInt(below: 5)) }), missing: missing)
        case 2: return Column(name: name, values: .boolean((0..<rows).map { _ in constant || random.nextUniform() < 0.5 }), missing: missing)
        case 3: return Column(name: name, values: .datetime((0..<rows).map { _ in 1_600_000_000 + (constant ? 0 : Int64(random.nextInt(below: 1_000_000))) }),
                              missing: missing)
        default:
            return Column(name: name, values: .categorical(codes: (0..<rows).map { _ in constant ? 1 : Int32(random.nextInt(below: 3)) },
                                                           levels: ["a", "b", "c"]), missing: missing)
        }
    }

    /// The generators, each with the privacy plugin it composes with.
    static let configurations: [(generator: String, parameters: [String: ParameterValue], privacy: String)] = [
        ("independent", [:], "laplace"),
        ("gaussian_copula", [:], "gaussian"),
        ("bayesian_network", ["degree": .int(1)], "laplace"),
        ("ctgan", ["epochs": .int(1), "batch_size": .int(10), "pac": .int(1)], "dp_sgd"),
        ("tvae", ["epochs": .int(1), "batch_size": .int(10)], "dp_sgd"),
    ]

    @Test func everyGeneratorFitsATinyTableOrRefusesIt() throws {
        var random = Philox(seed: 77, stream: 3)
        var refusals = 0, fits = 0
        for round in 0..<24 {
            let rows = 1 + random.nextInt(below: 6)
            let kinds = (0..<(1 + random.nextInt(below: 3))).map { _ in random.nextInt(below: 5) }
            let table = try Table(columns: kinds.enumerated().map { Self.column("c\($0.offset)", kind: $0.element, rows: rows, random: &random) })
            for (generator, parameters, privacyID) in Self.configurations {
                for isPrivate in [false, true] {
                    let context = "round \(round), \(generator)\(isPrivate ? " with \(privacyID)" : ""), kinds \(table.kinds)"
                    let host = HostServices(seed: UInt64(round))
                    do {
                        let privacy = isPrivate ? try PluginInstance(Self.registry.plugin(privacyID), values: ["epsilon": .float(1)], host: host) : nil
                        let session = try GeneratorSession(generator: try PluginInstance(Self.registry.plugin(generator), values: parameters, host: host),
                                                           privacy: privacy)
                        try session.fit(table, host: host)
                        let made = try session.sample(rows: 5, host: host)
                        fits += 1
                        #expect(made.rowCount == 5 && made.columnNames == table.columnNames && made.kinds == table.kinds, "\(context): \(made.kinds)")
                        for (real, fake) in zip(table.columns, made.columns) {
                            switch (real.values, fake.values) {
                            case (.categorical(_, let levels), .categorical(let codes, let madeLevels)):
                                #expect(Set(madeLevels).isSubset(of: levels) && codes.allSatisfy { (0..<Int32(madeLevels.count)).contains($0) || madeLevels.isEmpty },
                                        "\(context): \(fake.name) levels \(madeLevels), codes \(codes)")
                            case (.continuous, .continuous(let values)):
                                #expect(values.indices.allSatisfy { fake.isMissing($0) || values[$0].isFinite }, "\(context): \(fake.name) \(values)")
                            default:
                                break
                            }
                        }
                    } catch {
                        refusals += 1
                        #expect(!String(describing: error).isEmpty, "\(context): refused without a reason")
                    }
                }
            }
        }
        // Most fit; a few tables are too small for some (one row for the copula, DP-SGD's plan).
        #expect(fits > refusals, "\(fits) fits, \(refusals) refusals")
    }
}
