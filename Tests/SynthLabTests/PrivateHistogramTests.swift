import Foundation
import SynthKit
import Testing
@testable import SynthLab

/// The statistical generators under privacy cut each numeric column into bins of its public range;
/// a point mass at an end of the range (capital-gain's 0, held by 92 % of adult's rows, and its
/// top code 99999) comes out as a point mass, not spread over the first or last bin.
@Suite("private histograms keep point masses at the range's ends")
struct PrivateHistogramTests {
    static let real: Table = try! CSVReader.read(path: Support.data("adult.csv"))

    static func share(_ table: Table, _ column: String, equal value: Double) -> Double {
        let numbers = table.column(named: column)!.presentNumbers()!
        return Double(numbers.filter { $0 == value }.count) / Double(numbers.count)
    }

    @Test(arguments: [("independent", [String: ParameterValue]()), ("gaussian_copula", [:]), ("bayesian_network", ["degree": .int(1)]),
                      ("independent", ["numeric_model": .string("histogram")])])
    func theEndsOfTheRangeKeepTheirMass(generator: String, parameters: [String: ParameterValue]) throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 3)
        // The last case is the histogram without privacy, on the same edges.
        let privacy = parameters["numeric_model"] == nil
            ? try PluginInstance(registry.plugin("laplace"), values: ["epsilon": .float(5)], host: host) : nil
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin(generator), values: parameters, host: host),
                                           privacy: privacy)
        try session.fit(Self.real, host: host)
        let synthetic = try session.sample(rows: 20_000, host: host)
        for (column, value) in [("capital-gain", 0.0), ("capital-loss", 0.0), ("capital-gain", 99_999.0)] {
            let real = Self.share(Self.real, column, equal: value), made = Self.share(synthetic, column, equal: value)
            #expect(abs(made - real) < max(0.02, real * 0.5), "\(generator): \(column) = \(value) in \(made) of the rows, real \(real)")
        }
        // Values inside the range are still drawn: the mass between the ends is not lost.
        let inside = 1 - Self.share(synthetic, "capital-gain", equal: 0) - Self.share(synthetic, "capital-gain", equal: 99_999)
        #expect(inside > 0.03, "\(generator): \(inside) of capital-gain between its ends (real 0.078)")
    }
}
