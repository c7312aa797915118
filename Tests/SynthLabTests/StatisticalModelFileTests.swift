import Foundation
import SynthKit
import Testing
@testable import SynthLab

/// The statistical generators save their fitted models as the neural ones do: a model reloaded
/// from its file samples the same rows, given a category too, and a private model keeps its ε.
@Suite("statistical generators save and reload their models")
struct StatisticalModelFileTests {
    static let adult: Table = try! CSVReader.read(path: Support.data("adult.csv"))

    @Test(arguments: [("independent", false), ("gaussian_copula", false), ("bayesian_network", false),
                      ("independent", true), ("gaussian_copula", true), ("bayesian_network", true)])
    func aReloadedModelSamplesTheSameRows(generator: String, private: Bool) throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 4)
        let privacy = `private` ? try PluginInstance(registry.plugin("laplace"), values: ["epsilon": .float(2)], host: host) : nil
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin(generator), host: host), privacy: privacy)
        try session.fit(Self.adult, host: host)
        let folder = Support.temporaryFolder()
        let path = folder + "/\(generator).model"
        try session.saveModel(to: path, host: host)
        let header = try SavedModel.read(path).header
        #expect(header.plugin == generator && header.rows == Self.adult.rowCount && header.seed == 4)
        #expect(header.epsilon == (`private` ? 2 : nil))

        let reloaded = try GeneratorSession.loadModel(from: path, registry: registry, host: HostServices(seed: 4))
        // A loaded model's ε is what its fit spent, and saving it again keeps it.
        #expect(reloaded.privacySpent == (`private` ? PrivacySpend(epsilon: 2, delta: 0) : nil))
        try reloaded.saveModel(to: folder + "/again.model", host: host)
        #expect(try SavedModel.read(folder + "/again.model").header.epsilon == header.epsilon)
        let before = try session.sample(rows: 3000, host: HostServices(seed: 11))
        let after = try reloaded.sample(rows: 3000, host: HostServices(seed: 11))
        #expect(after == before, "\(generator): the reloaded model's rows")
        #expect(after.kinds == Self.adult.kinds && after.columnNames == Self.adult.columnNames)
        if generator != "independent" {
            let given = try reloaded.sample(rows: 200, where: ("income", ">50K"), host: HostServices(seed: 12))
            #expect(given == (try session.sample(rows: 200, where: ("income", ">50K"), host: HostServices(seed: 12))))
            #expect((0..<200).allSatisfy { given.column(named: "income")!.text(at: $0) == ">50K" })
        }
        if `private` {
            // A private model holds noisy statistics only: no training value is written out as a list.
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            #expect(!text.contains(",77516,") && !text.contains(",77516.0,"), "fnlwgt's first value")
        } else if generator == "independent" {
            // Without privacy the baseline's numeric marginals are the columns' values.
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            #expect(text.contains(",77516,"))
        }
    }

    /// A model file whose header says something else than what was saved (each field and each
    /// parameter at an extreme, the columns cut or of another kind) samples or is refused with a
    /// reason; it never traps.
    @Test(arguments: ["independent", "gaussian_copula", "bayesian_network"])
    func aHeaderChangedByHandSamplesOrIsRefused(generator: String) throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 4)
        let insurance = try CSVReader.read(path: Support.data("insurance.csv"))
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin(generator), host: host), privacy: nil)
        try session.fit(insurance, host: host)
        let folder = Support.temporaryFolder()
        try session.saveModel(to: folder + "/m.model", host: host)
        let saved = try SavedModel.read(folder + "/m.model")
        var headers: [SavedModelHeader] = []
        for rows in [0, -1, Int.max] { var h = saved.header; h.rows = rows; headers.append(h) }
        for seed in [0, UInt64.max] { var h = saved.header; h.seed = seed; headers.append(h) }
        for epsilon in [0, -1, Double.greatestFiniteMagnitude] { var h = saved.header; h.epsilon = epsilon; h.delta = -1; headers.append(h) }
        for index in saved.header.parameters.indices {
            for value in ["-1", "0", "99999999999999", "abc", ""] {
                var h = saved.header
                h.parameters[index].value = value
                headers.append(h)
            }
        }
        var cut = saved.header
        cut.columns.removeLast()
        var otherKind = saved.header
        otherKind.columns[0].kind = .boolean
        var renamed = saved.header
        renamed.columns[1].name = "gender"
        var otherPlugin = saved.header
        otherPlugin.plugin = generator == "independent" ? "gaussian_copula" : "independent"
        headers += [cut, otherKind, renamed, otherPlugin]
        var refused = 0
        for (index, header) in headers.enumerated() {
            let path = folder + "/changed-\(index).model"
            try SavedModel.file(header: header, state: saved.state).write(to: URL(fileURLWithPath: path))
            do {
                let loaded = try GeneratorSession.loadModel(from: path, registry: registry, host: HostServices(seed: 4))
                let rows = try loaded.sample(rows: 20, host: HostServices(seed: 5))
                #expect(rows.rowCount == 20 && rows.columnNames == header.columns.map(\.name), "\(generator), header \(index)")
            } catch {
                refused += 1
                #expect(!"\(error)".isEmpty, "\(generator), header \(index): refused without a reason")
            }
        }
        // A cut column list, a column of another kind or name, another plugin: each is refused.
        #expect(refused >= 4, "\(refused) of \(headers.count) refused")
    }

    @Test func aModelOfAnotherGeneratorOrADamagedOneIsRefused() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 4)
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin("gaussian_copula"), host: host), privacy: nil)
        try session.fit(try CSVReader.read(path: Support.data("insurance.csv")), host: host)
        let folder = Support.temporaryFolder()
        try session.saveModel(to: folder + "/copula.model", host: host)
        // The copula's state given to the Bayesian network: the header names the plugin, so the
        // state is handed to gaussian_copula; rewrite the header's plugin to see the state refused.
        var saved = try SavedModel.read(folder + "/copula.model")
        var header = saved.header
        header.plugin = "bayesian_network"
        header.parameters = []
        saved = SavedModel(path: saved.path, header: header, state: saved.state)
        #expect(throws: SynthLabError.pluginFailed(plugin: "bayesian_network", operation: "load",
                                                    message: "the saved model is a 'gaussian_copula' model, not a bayesian_network one")) {
            try GeneratorSession.loadModel(saved, registry: registry, host: host)
        }
        // A state cut short is refused with the reason, not sampled.
        let original = try SavedModel.read(folder + "/copula.model")
        let cut = SavedModel(path: original.path, header: original.header, state: Array(original.state.dropLast(40)))
        #expect {
            try GeneratorSession.loadModel(cut, registry: registry, host: host)
        } throws: { error in
            "\(error)".contains("saved gaussian_copula model is unreadable")
        }
    }
}
