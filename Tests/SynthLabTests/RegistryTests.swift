import Foundation
import SynthKit
import Testing
@testable import SynthLab

@Suite(.serialized) struct RegistryTests {
    @Test func builtInPluginsLoadThroughTheLoader() throws {
        let folder = try Support.pluginFolder()
        let registry = PluginRegistry(searchPath: [folder])
        #expect(registry.rejected.isEmpty, "\(registry.rejected)")
        #expect(Set(registry.plugins.map(\.id)) == ["independent", "gaussian_copula", "bayesian_network", "classification", "ctgan", "tvae", "laplace", "dp_sgd", "gaussian", "column_shapes", "missing_rates", "fidelity", "quality", "utility", "augmentation", "bias", "detection", "privacy_risk", "constraints"])
        let independent = try registry.plugin("independent", kind: .generator)
        #expect(independent.path == folder + "/libsynth_independent.so")
        #expect(independent.descriptor.capabilities == [Capability.privacyStatistics])
        #expect(try registry.plugin("laplace").descriptor.parameters.first?.isRequired == true)
    }

    @Test func brokenFilesAreRejectedWithReasonsAndTheRestStillRuns() throws {
        let folder = try Support.pluginFolder()
        let source = Support.fixtures + "/cplugins/test_plugin.c"
        // A text file named .so
        try "not a library\n".write(toFile: folder + "/a_text.so", atomically: true, encoding: .utf8)
        // An ELF library without the entry symbol
        try Support.compileC(Support.fixtures + "/cplugins/no_entry.c", to: folder + "/b_no_entry.so")
        // Another ABI version
        try Support.compileC(source, to: folder + "/c_abi2.so", defines: ["PLUGIN_ABI=2", "PLUGIN_ID=\"abi_two\""])
        // An invalid descriptor (bad version string)
        try Support.compileC(source, to: folder + "/d_bad_descriptor.so", defines: ["PLUGIN_ID=\"bad_version\"", "PLUGIN_VERSION=\"one\""])
        // Two files with the same id: the first one wins, the second is rejected.
        try Support.compileC(source, to: folder + "/e_dup_first.so", defines: ["PLUGIN_ID=\"twin\""])
        try Support.compileC(source, to: folder + "/f_dup_second.so", defines: ["PLUGIN_ID=\"twin\""])
        // An id that a built-in already has
        try Support.compileC(source, to: folder + "/z_clash.so", defines: ["PLUGIN_ID=\"independent\""])

        let registry = PluginRegistry(searchPath: [folder])
        let reasons = Dictionary(uniqueKeysWithValues: registry.rejected.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0.reason) })
        #expect(reasons["a_text.so"]?.contains("not an ELF shared library") == true)
        #expect(reasons["b_no_entry.so"]?.contains("has no 'synth_plugin_entry' symbol") == true)
        #expect(reasons["c_abi2.so"] == "built for plugin ABI version 2; this host speaks version 1")
        #expect(reasons["d_bad_descriptor.so"]?.contains("invalid descriptor") == true)
        #expect(reasons["d_bad_descriptor.so"]?.contains("version 'one' is not MAJOR.MINOR.PATCH") == true)
        #expect(reasons["f_dup_second.so"] == "plugin id 'twin' is already provided by \(folder)/e_dup_first.so")
        #expect(reasons["z_clash.so"]?.hasPrefix("plugin id 'independent' is already provided by") == true)
        #expect(reasons.count == 6)
        #expect(registry.plugins.contains { $0.id == "twin" && $0.path.hasSuffix("e_dup_first.so") })

        // The good plugins still run.
        let host = HostServices(seed: 1)
        let table = try CSVReader.read(path: Support.data("insurance.csv"))
        let generator = try PluginInstance(try registry.plugin("independent"), host: host)
        let session = try GeneratorSession(generator: generator, privacy: nil)
        try session.fit(table, host: host)
        let synthetic = try session.sample(rows: 200, host: host)
        let metrics = try Validating.run(try PluginInstance(try registry.plugin("column_shapes"), host: host),
                                         real: table, synthetic: synthetic, host: host)
        #expect(metrics.last?.metric.name == "column_shapes")
        #expect((metrics.last?.metric.value ?? 0) > 0.8)
    }

    /// The composed parameter values a generator's descriptor may end with: read when its
    /// struct_size covers them, checked against its parameters, and absent from a descriptor of
    /// the size ABI version 1 first had.
    @Test func composedParameterValuesAreReadWhenPresent() throws {
        let folder = try Support.pluginFolder()
        let source = Support.fixtures + "/cplugins/test_plugin.c"
        try Support.compileC(source, to: folder + "/a_first.so", defines: ["PLUGIN_ID=\"first_size\"", "PLUGIN_FIRST_SIZE"])
        try Support.compileC(source, to: folder + "/b_composed.so",
                             defines: ["PLUGIN_ID=\"composed\"", "PLUGIN_KIND=SYNTH_KIND_GENERATOR", "PLUGIN_COMPOSED=\"epsilon\""])
        try Support.compileC(source, to: folder + "/c_unknown.so",
                             defines: ["PLUGIN_ID=\"unknown\"", "PLUGIN_KIND=SYNTH_KIND_GENERATOR", "PLUGIN_COMPOSED=\"epsilom\""])
        let registry = PluginRegistry(searchPath: [folder])
        #expect(try registry.plugin("first_size").descriptor.composedParameters.isEmpty)
        let composed = try registry.plugin("composed").descriptor.composedParameters
        #expect(composed == ["epsilon": .float(2)])
        let reasons = Dictionary(uniqueKeysWithValues: registry.rejected.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0.reason) })
        #expect(reasons["c_unknown.so"] == "invalid descriptor: descriptor 'unknown': composed value of an unknown parameter 'epsilom'")
        #expect(reasons.count == 1)
        // Swift plugins declare them too: ctgan takes pac 1 composed with a privacy plugin.
        let ctgan = try PluginRegistry().plugin("ctgan").descriptor.composedParameters
        #expect(ctgan == ["pac": .int(1)])
    }

    @Test func aPluginInPlainCCompiledByTheSystemCompiler() throws {
        let folder = Support.temporaryFolder("synthlab-c")
        try Support.compileC(Support.repositoryRoot + "/Plugins/MissingRatesC/missing_rates.c", to: folder + "/libmissing.so")
        let registry = PluginRegistry(searchPath: [folder])
        #expect(registry.rejected.isEmpty)
        let plugin = try registry.plugin("missing_rates", kind: .validator)
        let real = try CSVReader.parse(text: "a,b\n1,x\n,y\n3,\n4,z\n")
        let synthetic = try CSVReader.parse(text: "a,b\n1,x\n2,y\n3,y\n4,z\n")
        let results = try Validating.run(try PluginInstance(plugin, host: HostServices(seed: 0)),
                                         real: real, synthetic: synthetic, host: HostServices(seed: 0))
        #expect(results.map(\.metric.column) == ["a", "b", nil])
        #expect(results.map(\.metric.value) == [0.25, 0.25, 0.25])
        #expect(results.allSatisfy { $0.metric.goal == .minimize && $0.metric.range == 0...1 })
    }

    @Test func unknownPluginErrorsListWhatExists() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        #expect(throws: SynthLabError.unknownPlugin(id: "dpgan", kind: .generator, available: ["bayesian_network", "classification", "ctgan", "gaussian_copula", "independent", "tvae"], rejectedHint: nil)) {
            try registry.plugin("dpgan", kind: .generator)
        }
        #expect(throws: SynthLabError.wrongKind(id: "laplace", expected: .generator, actual: .privacy)) {
            try registry.plugin("laplace", kind: .generator)
        }
    }

    @Test func searchPathOrder() {
        let folders = PluginSearchPath.folders(environment: ["SYNTHLAB_PLUGIN_PATH": "/a:/b", "HOME": "/home/u"],
                                               executableFolder: "/opt/synthlab/bin")
        #expect(folders == ["/a", "/b", "/home/u/.local/share/synthlab/plugins", "/opt/synthlab/bin"])
        let xdg = PluginSearchPath.folders(environment: ["XDG_DATA_HOME": "/x", "HOME": "/home/u"], executableFolder: nil)
        #expect(xdg == ["/x/synthlab/plugins"])
    }
}
