import Foundation
import SynthKit
import SynthLab
import SynthMath
import Testing

/// ctgan and tvae, trained for a few epochs on the first 2,000 rows of adult.csv (numbers,
/// categories and missing values), through the registry as the host uses them.
@Suite("ctgan and tvae generators")
struct NeuralGeneratorTests {
    static let adult: Table = {
        let table = try! CSVReader.read(path: Support.data("adult.csv"))
        return table.rows(Array(0..<2000))
    }()

    final class Progress {
        var messages: [String] = []
        /// The value of `key=` in each epoch's message.
        func values(_ key: String) -> [Double] {
            messages.compactMap { message in
                guard message.hasPrefix("epoch"), let range = message.range(of: key + "=") else { return nil }
                return Double(message[range.upperBound...].prefix { $0 != " " })
            }
        }
    }

    func fitted(_ id: String, seed: UInt64, parameters: [String: ParameterValue], progress: Progress? = nil,
                registry: PluginRegistry? = nil, table: Table = Self.adult) throws -> (GeneratorSession, HostServices) {
        let registry = try registry ?? PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: seed, progress: { _, message in if let message { progress?.messages.append(message) } })
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin(id, kind: .generator), values: parameters, host: host),
                                           privacy: nil)
        try session.fit(table, host: host)
        return (session, host)
    }

    /// Every column has the training table's name and kind; categories are training categories;
    /// numbers lie in the training range; missing values appear only where the training column had
    /// some (unless `anyMissing`: under privacy, every column has a missing indicator, since that a
    /// column has missing values would be learned from the data).
    func expectValid(_ synthetic: Table, like real: Table, _ label: String, anyMissing: Bool = false) {
        #expect(synthetic.columnNames == real.columnNames && synthetic.kinds == real.kinds, "\(label): columns")
        for (fake, actual) in zip(synthetic.columns, real.columns) {
            if actual.missingCount == 0, !anyMissing { #expect(fake.missingCount == 0, "\(label): \(fake.name) has missing values") }
            switch (fake.values, actual.values) {
            case (.categorical(let codes, let levels), .categorical(_, let realLevels)):
                let used = Set((0..<fake.count).filter { !fake.isMissing($0) }.map { levels[Int(codes[$0])] })
                #expect(used.isSubset(of: Set(realLevels)), "\(label): \(fake.name) has unknown categories \(used.subtracting(realLevels))")
            case (.integer, .integer), (.continuous, .continuous), (.datetime, .datetime):
                let values = fake.presentNumbers()!, bounds = actual.presentNumbers()!
                #expect(values.allSatisfy { $0 >= bounds.min()! && $0 <= bounds.max()! && $0.isFinite }, "\(label): \(fake.name) out of range")
            default:
                Issue.record("\(label): \(fake.name) has kind \(fake.kind), expected \(actual.kind)")
            }
        }
    }

    @Test func ctganLossesFallAndRowsAreValid() throws {
        let progress = Progress()
        // A short run (10 epochs of 10 steps, learning rates 1e-3) on 2,000 rows.
        let (session, host) = try fitted("ctgan", seed: 11, parameters: [
            "epochs": .int(10), "batch_size": .int(200), "generator_lr": .float(1e-3), "discriminator_lr": .float(1e-3),
        ], progress: progress)
        let cond = progress.values("cond"), penalty = progress.values("penalty")
        let lossD = progress.values("loss_d"), lossG = progress.values("loss_g")
        #expect(cond.count == 10 && penalty.count == 10 && lossD.count == 10 && lossG.count == 10)
        // The adversarial losses go up and down by design; the terms each network minimizes
        // without an adversary fall: the generator's conditional cross-entropy (it learns to honour
        // its condition) and the discriminator's gradient penalty (it learns to be 1-Lipschitz).
        #expect(cond.last! < cond.first! * 0.8, "conditional loss \(cond)")
        #expect(penalty.last! < penalty.first! * 0.5, "gradient penalty \(penalty)")
        #expect((lossD + lossG).allSatisfy { $0.isFinite })
        let synthetic = try session.sample(rows: 3000, host: host)
        expectValid(synthetic, like: Self.adult, "ctgan")
    }

    @Test func tvaeLossesFallAndRowsAreValid() throws {
        let progress = Progress()
        let (session, host) = try fitted("tvae", seed: 12, parameters: ["epochs": .int(10), "batch_size": .int(200)], progress: progress)
        let loss = progress.values("loss"), reconstruction = progress.values("reconstruction"), kl = progress.values("kl")
        #expect(loss.count == 10 && reconstruction.count == 10 && kl.count == 10)
        #expect(loss.last! < loss.first! * 0.8, "loss \(loss)")
        #expect(reconstruction.last! < reconstruction.first!, "reconstruction \(reconstruction)")
        let synthetic = try session.sample(rows: 3000, host: host)
        expectValid(synthetic, like: Self.adult, "tvae")
    }

    /// An integer column of a few values (at most 10, and at most a tenth of the rows) is learned
    /// as categories: every sampled value is one of its values, and its missing cells are kept. A
    /// column of more values is learned as a number, and makes values between the training ones.
    /// (`stars` follows sex and income, and is missing for husbands, so that TVAE, which decodes
    /// a category by its argmax, learns it from the latent rather than as its most common value.)
    @Test(arguments: ["ctgan", "tvae"])
    func anIntegerColumnOfAFewValuesIsLearnedAsCategories(_ id: String) throws {
        let adult = Self.adult.rows(Array(0..<600))
        let few: [Int64] = [1, 3, 7, 20, 150], many = (0..<11).map { Int64($0) * 1000 }
        func text(_ name: String, _ row: Int) -> String { adult.column(named: name)?.text(at: row) ?? "" }
        let husband = (0..<600).map { text("relationship", $0) == "Husband" }
        let stars = Column(name: "stars", values: .integer((0..<600).map {
            few[(text("sex", $0) == "Male" ? 2 : 0) + (text("income", $0) == ">50K" ? 1 : 0)]
        }), missing: husband)
        let grid = Column(name: "grid", values: .integer((0..<600).map { many[($0 * 5) % many.count] }))
        let table = try Table(columns: adult.columns + [stars, grid])
        let (session, host) = try fitted(id, seed: 3, parameters: ["epochs": .int(id == "tvae" ? 60 : 3), "batch_size": .int(100)],
                                         table: table)
        let synthetic = try session.sample(rows: 2000, host: host)
        expectValid(synthetic, like: table, id)
        let made = try #require(synthetic.column(named: "stars"))
        guard case .integer(let values) = made.values else { Issue.record("stars is \(made.kind)"); return }
        let present = (0..<made.count).filter { !made.isMissing($0) }.map { values[$0] }
        #expect(Set(present).isSubset(of: Set(few)), "\(id): stars made \(Set(present).subtracting(few).sorted().prefix(5))")
        #expect(made.missingCount > 0 && made.missingCount < made.count, "\(id): \(made.missingCount) missing stars")
        let spread = try #require(synthetic.column(named: "grid")).presentNumbers()!
        #expect(!Set(spread).isSubset(of: Set(many.map(Double.init))), "\(id): grid made only its training values")
        // Such a column's values are conditions, as categories are.
        let sevens = try session.sample(rows: 50, where: ("stars", "7"), host: host)
        #expect(try #require(sevens.column(named: "stars")).presentNumbers() == Array(repeating: 7, count: 50))
        // A saved model keeps the column's values: the reloaded one makes the same rows.
        try expectReloadedModelSamplesAlike(session, host: host)
    }

    /// Saves `session`'s model, loads it back, and expects both to make the same rows.
    func expectReloadedModelSamplesAlike(_ session: GeneratorSession, host: HostServices) throws {
        let path = Support.temporaryFolder() + "/saved.model"
        try session.saveModel(to: path, host: host)
        let reloaded = try GeneratorSession.loadModel(from: path, registry: PluginRegistry(searchPath: [try Support.pluginFolder()]),
                                                      host: HostServices(seed: 3))
        #expect(try reloaded.sample(rows: 300, host: HostServices(seed: 4)) == (try session.sample(rows: 300, host: HostServices(seed: 4))))
    }

    /// A value most of a numeric column's rows hold is a mode of its own, decoded exactly:
    /// capital-gain is 0 in over 90 % of these rows, and with the point mass the generated gains
    /// are exactly 0 about as often or more (tvae decodes a mode by its argmax, so it favours the
    /// commonest). Without it (`point_mass_share: 1`), 0 is the mean of a Gaussian mode hundreds of
    /// dollars wide in 4σ, and gains generated near 0 miss it. A failure prints the shares.
    @Test(arguments: ["ctgan", "tvae"])
    func aValueMostRowsHoldComesBackExactly(_ id: String) throws {
        func zeroShare(_ table: Table) -> Double {
            let gains = table.column(named: "capital-gain")!.presentNumbers()!
            return Double(gains.filter { $0 == 0 }.count) / Double(gains.count)
        }
        let real = zeroShare(Self.adult)
        var shares: [Double] = []
        for share in [0.5, 1] {
            let (session, host) = try fitted(id, seed: 4, parameters: ["epochs": .int(id == "tvae" ? 30 : 5), "batch_size": .int(200),
                                                                      "point_mass_share": .float(share)])
            let synthetic = try session.sample(rows: 2000, host: host)
            expectValid(synthetic, like: Self.adult, "\(id), point_mass_share \(share)")
            shares.append(zeroShare(synthetic))
            // A saved model keeps its point masses: the reloaded one makes the same rows.
            if share < 1 { try expectReloadedModelSamplesAlike(session, host: host) }
        }
        #expect(real > 0.9)
        #expect(shares[0] > real - 0.05, "\(id): \(shares[0]) of the gains are 0 (real \(real), without the point mass \(shares[1]))")
        #expect(shares[1] < shares[0] - 0.05, "\(id): \(shares[1]) of the gains are 0 without the point mass (real \(real), with it \(shares[0]))")
    }

    @Test(arguments: ["ctgan", "tvae"])
    func deterministicUnderSeed(_ id: String) throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let parameters: [String: ParameterValue] = ["epochs": .int(2), "batch_size": .int(200)]
        let (a, hostA) = try fitted(id, seed: 5, parameters: parameters, registry: registry)
        let (b, hostB) = try fitted(id, seed: 5, parameters: parameters, registry: registry)
        let (c, hostC) = try fitted(id, seed: 6, parameters: parameters, registry: registry)
        let first = try a.sample(rows: 500, host: hostA)
        #expect(first == (try b.sample(rows: 500, host: hostB)))
        #expect(first != (try c.sample(rows: 500, host: hostC)))
    }

    /// `synthlab` pins OpenBLAS to one thread: the same seed gives the same file whatever
    /// OPENBLAS_NUM_THREADS says (ctgan's products are large enough for 2 threads to change sums).
    @Test func theSameFileWhateverTheBLASThreads() throws {
        let folder = Support.temporaryFolder()
        try CSVWriter.write(Self.adult, to: folder + "/adult.csv")
        var files: [Data] = []
        for threads in ["1", "2"] {
            let out = folder + "/ctgan-\(threads).csv"
            let result = try Support.run(Support.executable, ["synth", "--generator", "ctgan", "--data", folder + "/adult.csv", "--rows", "500",
                                                              "--seed", "7", "--out", out, "--param", "epochs=1"],
                                         environment: ["OPENBLAS_NUM_THREADS": threads, "XDG_DATA_HOME": Support.temporaryFolder("synthlab-xdg")])
            #expect(result.status == 0, "\(result.stderr)")
            files.append(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        #expect(files[0] == files[1])
    }

    /// The same seed gives the same file on every x86-64 machine with AVX2: these digests were
    /// taken with OPENBLAS_CORETYPE=Haswell, and a machine whose OpenBLAS would pick other kernels
    /// (AVX-512 ones, as on the machine this was written on) must give them too. Forcing other
    /// kernels changes the bytes, which shows what the pin is for.
    @Test func theSameFileOnEveryAVX2Machine() throws {
        #if arch(x86_64)
        let folder = Support.temporaryFolder()
        let expected = ["ctgan": "a653ca0e98bcc244309a95bd76c0181c9991e8496b38667f729280c20e2f7e99",
                        "tvae": "95dcb3133afae8dd21c3f6502f5211fba1c908b74e97f29dadbd19f19f1fd338"]
        func digest(_ id: String, core: String?) throws -> String {
            let out = folder + "/\(id)-\(core ?? "pinned").csv"
            var environment = ["XDG_DATA_HOME": Support.temporaryFolder("synthlab-xdg")]
            if let core { environment["OPENBLAS_CORETYPE"] = core }
            let result = try Support.run(Support.executable, ["synth", "--generator", id, "--data", Support.data("insurance.csv"),
                                                              "--rows", "500", "--seed", "1", "--out", out, "--param", "epochs=2"],
                                         environment: environment, unset: ["OPENBLAS_CORETYPE"])
            #expect(result.status == 0, "\(result.stderr)")
            return SHA256.hex(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        try #require(BLASKernels.cpuHasAVX2AndFMA(), "these digests are of OpenBLAS's Haswell kernels, which need AVX2 and FMA")
        for id in ["ctgan", "tvae"] {
            #expect(try digest(id, core: nil) == expected[id], "\(id) on this machine's pinned kernels")
            #expect(try digest(id, core: "Sandybridge") != expected[id], "\(id) on AVX kernels differs")
        }
        #endif
    }

    @Test(arguments: ["ctgan", "tvae"])
    func samplesGivenACategory(_ id: String) throws {
        // An undertrained TVAE puts out the majority class only; 30 short epochs are enough here.
        let (session, host) = try fitted(id, seed: 7, parameters: ["epochs": .int(id == "tvae" ? 30 : 4), "batch_size": .int(200)])
        let rich = try session.sample(rows: 400, where: ("income", ">50K"), host: host)
        let income = rich.column(named: "income")!
        #expect((0..<400).allSatisfy { income.text(at: $0) == ">50K" })
        expectValid(rich, like: Self.adult, "\(id) conditional")
        #expect(throws: SynthLabError.pluginFailed(
            plugin: id, operation: "sample_conditional",
            message: "column 'income' has no category '>60K' (categories: <=50K, >50K)")) {
            try session.sample(rows: 10, where: ("income", ">60K"), host: host)
        }
        #expect(throws: SynthLabError.pluginFailed(
            plugin: id, operation: "sample_conditional",
            message: "column 'age' is learned as a number: only a category can be a condition, or a value of an integer column of a few "
                + "values (at most 10, and at most a tenth of the rows), which is learned as categories")) {
            try session.sample(rows: 10, where: ("age", "30"), host: host)
        }
        // tvae keeps the rows that have the category: one it makes too rarely (adult holds one
        // Dutch row) is refused with the rate it made it at, and what to do instead.
        if id == "tvae" {
            let error = #expect(throws: SynthLabError.self) {
                try session.sample(rows: 100, where: ("native-country", "Holand-Netherlands"), host: host)
            }
            let message = String(describing: try #require(error))
            #expect(message.contains("tvae made only ") && message.contains(" of 100 rows with native-country = Holand-Netherlands in ")
                    && message.contains("the model makes that category too rarely to sample 100 rows given it; tvae samples given a category "
                                        + "by keeping the rows that have it, of 100 batches at most, while ctgan and gaussian_copula generate "
                                        + "each row under it (bayesian_network keeps them too, of ten million draws or more)"),
                    Comment(rawValue: message))
        }
    }

    @Test(arguments: ["ctgan", "tvae"])
    func savesAndReloadsAFittedModel(_ id: String) throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let (session, host) = try fitted(id, seed: 8, parameters: ["epochs": .int(id == "tvae" ? 30 : 2), "batch_size": .int(200), "embedding_dim": .int(64)],
                                         registry: registry)
        let folder = Support.temporaryFolder()
        let path = folder + "/adult.model"
        try session.saveModel(to: path, host: host)
        let header = try SavedModel.read(path).header
        #expect(header.plugin == id && header.rows == 2000 && header.seed == 8)
        #expect(header.parameters.contains { $0.id == "embedding_dim" && $0.value == "64" })
        // The file holds the model, not the training rows.
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        #expect(!text.contains("Married-civ-spouse,") && !text.contains("77516"))

        let reloaded = try GeneratorSession.loadModel(from: path, registry: registry, host: HostServices(seed: 8))
        #expect(try reloaded.sample(rows: 700, host: HostServices(seed: 8)) == (try session.sample(rows: 700, host: HostServices(seed: 8))))
        #expect(try reloaded.sample(rows: 50, where: ("sex", "Female"), host: HostServices(seed: 9)).column(named: "sex")!.text(at: 0) == "Female")

        // A damaged file is refused with its reason.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: folder + "/cut.model"))
        #expect(throws: SynthLabError.self) { try GeneratorSession.loadModel(from: folder + "/cut.model", registry: registry, host: host) }
        let saved = try SavedModel.read(path)
        let size = try #require(saved.header.stateBytes)
        #expect(size == saved.state.count && saved.header.stateSHA256?.count == 64)
        #expect(throws: SynthLabError.invalidRequest(
            "\(folder)/cut.model: the model file is truncated: \(size - 100) bytes of \(id) model where \(size) were saved")) {
            try GeneratorSession.loadModel(from: folder + "/cut.model", registry: registry, host: host)
        }
        var flipped = [UInt8](bytes)
        for index in (bytes.count - size / 2)..<(bytes.count - size / 2 + 8) { flipped[index] ^= 0xFF }
        try Data(flipped).write(to: URL(fileURLWithPath: folder + "/flipped.model"))
        #expect(throws: SynthLabError.invalidRequest(
            "\(folder)/flipped.model is damaged: its \(id) model's bytes do not have the SHA-256 recorded when it was saved")) {
            try GeneratorSession.loadModel(from: folder + "/flipped.model", registry: registry, host: host)
        }
        // A file written before the size and checksum were recorded still loads; cut, the plugin refuses it.
        var older = saved.header
        older.stateBytes = nil
        older.stateSHA256 = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let olderHeader = Data("SYNTHLAB-MODEL 1\n".utf8) + (try encoder.encode(older)) + Data([0x0A])
        #expect(!String(decoding: olderHeader, as: UTF8.self).contains("stateSHA256"))
        try (olderHeader + Data(saved.state)).write(to: URL(fileURLWithPath: folder + "/older.model"))
        let fromOlder = try GeneratorSession.loadModel(from: folder + "/older.model", registry: registry, host: HostServices(seed: 8))
        #expect(try fromOlder.sample(rows: 300, host: HostServices(seed: 8)) == (try session.sample(rows: 300, host: HostServices(seed: 8))))
        try (olderHeader + Data(saved.state.dropLast(100))).write(to: URL(fileURLWithPath: folder + "/older-cut.model"))
        do {
            _ = try GeneratorSession.loadModel(from: folder + "/older-cut.model", registry: registry, host: host)
            Issue.record("a cut model file loaded")
        } catch {
            #expect("\(error)".contains("truncated"), "\(error)")
        }
        try Data("age,sex\n1,a\n".utf8).write(to: URL(fileURLWithPath: folder + "/table.model"))
        #expect(throws: SynthLabError.invalidRequest("\(folder)/table.model is not a SynthLab model file (it does not start with 'SYNTHLAB-MODEL 1')")) {
            try GeneratorSession.loadModel(from: folder + "/table.model", registry: registry, host: host)
        }
    }

    /// A table whose one category column is 90 % "a", 9 % "b" and 1 % "c", with a number that
    /// depends on it.
    static let skewed: Table = {
        let codes = (0..<1000).map { row in Int32(row % 100 == 0 ? 2 : row % 10 == 5 ? 1 : 0) }
        let x = codes.indices.map { Double(codes[$0]) * 3 + sin(Double($0) * 12.9898) }
        return try! Table(columns: [Column(name: "g", values: .categorical(codes: codes, levels: ["a", "b", "c"])),
                                    Column(name: "x", values: .continuous(x))])
    }()

    /// ctgan conditions each generated row on a category. By default the categories are drawn
    /// with their frequency and batch norm uses the running statistics from training, so each row
    /// follows its condition and the rows keep the table's shares (90 : 9 : 1). The reference's
    /// sampling (sample_by_frequency and sample_batch_statistics false and true) draws them by log
    /// frequency, log 901 : log 91 : log 11, which is 50 : 33 : 17.
    @Test func ctganGeneratesWithTheCategoriesFrequencies() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 3)
        let values: [String: ParameterValue] = ["epochs": .int(80), "batch_size": .int(100), "generator_lr": .float(1e-3),
                                                "discriminator_lr": .float(1e-3)]
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin("ctgan"), values: values, host: host), privacy: nil)
        try session.fit(Self.skewed, host: host)
        let folder = Support.temporaryFolder()
        try session.saveModel(to: folder + "/skewed.model", host: host)
        func shares(_ session: GeneratorSession) throws -> [Double] {
            let g = try session.sample(rows: 4000, host: HostServices(seed: 3)).column(named: "g")!
            return ["a", "b", "c"].map { level in Double((0..<g.count).filter { g.text(at: $0) == level }.count) / Double(g.count) }
        }
        let paper = try shares(session)
        #expect(zip(paper, [0.9, 0.09, 0.01]).allSatisfy { abs($0 - $1) < 0.03 }, "shares of a, b, c: \(paper)")

        // The same model, sampled as the reference samples.
        let saved = try SavedModel.read(folder + "/skewed.model")
        var header = saved.header
        for (index, parameter) in header.parameters.enumerated() where parameter.id.hasPrefix("sample_") {
            header.parameters[index].value = parameter.id == "sample_by_frequency" ? "false" : "true"
        }
        try SavedModel.file(header: header, state: saved.state).write(to: URL(fileURLWithPath: folder + "/reference.model"))
        let reference = try shares(try GeneratorSession.loadModel(from: folder + "/reference.model", registry: registry, host: host))
        #expect(zip(reference, [0.498, 0.33, 0.172]).allSatisfy { abs($0 - $1) < 0.05 }, "shares of a, b, c: \(reference)")
    }

    /// A ctgan model saved by ctgan 1.0.0 (no header format, no `frequencies` in its conditions,
    /// no sample_ parameters) loads and samples as it did then: as the reference samples.
    @Test func ctganLoadsAModelOfTheFirstFormat() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 12)
        let values: [String: ParameterValue] = ["epochs": .int(1), "batch_size": .int(200),
                                                "sample_by_frequency": .bool(false), "sample_batch_statistics": .bool(true)]
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin("ctgan"), values: values, host: host), privacy: nil)
        try session.fit(Self.adult, host: host)
        let folder = Support.temporaryFolder()
        try session.saveModel(to: folder + "/new.model", host: host)

        let saved = try SavedModel.read(folder + "/new.model")
        var header = saved.header
        header.version = "1.0.0"
        header.parameters.removeAll { $0.id.hasPrefix("sample_") }
        let magic = Array("SYNTHNNMODEL1\n".utf8)
        #expect(Array(saved.state.prefix(magic.count)) == magic)
        let length = saved.state[magic.count..<(magic.count + 8)].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let json = String(decoding: saved.state[(magic.count + 8)..<(magic.count + 8 + length)], as: UTF8.self)
        let old = json.replacingOccurrences(of: #""frequencies":\[[^\]]*\],"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #""format":2,"#, with: "")
        #expect(old.count < json.count && !old.contains("frequencies") && !old.contains("format"))
        var state = magic
        withUnsafeBytes(of: UInt64(old.utf8.count).littleEndian) { state.append(contentsOf: $0) }
        state += Array(old.utf8) + saved.state[(magic.count + 8 + length)...]
        try SavedModel.file(header: header, state: state).write(to: URL(fileURLWithPath: folder + "/old.model"))

        let reloaded = try GeneratorSession.loadModel(from: folder + "/old.model", registry: registry, host: HostServices(seed: 12))
        #expect(try reloaded.sample(rows: 600, host: HostServices(seed: 4)) == (try session.sample(rows: 600, host: HostServices(seed: 4))))
    }

    @Test(arguments: ["ctgan", "tvae"])
    func stopsWhenCancelled(_ id: String) throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let progress = Progress()
        let host = HostServices(seed: 1, progress: { _, message in if let message { progress.messages.append(message) } })
        host.cancellationCheck = { progress.messages.contains { $0.hasPrefix("epoch 1/") } }
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin(id), values: ["epochs": .int(1000)], host: host),
                                           privacy: nil)
        #expect(throws: SynthLabError.pluginFailed(plugin: id, operation: "fit", message: "cancelled")) {
            try session.fit(Self.adult, host: host)
        }
        #expect(progress.messages.filter { $0.hasPrefix("epoch") }.count == 1)
    }

    @Test func refusesBadParameters() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 1)
        #expect(throws: SynthLabError.pluginFailed(plugin: "ctgan", operation: "create", message:
            "parameter 'generator_dim': '256,abc' is not a comma-separated list of layer widths (each 1 to 65536), e.g. \"256,256\"")) {
            _ = try PluginInstance(registry.plugin("ctgan"), values: ["generator_dim": .string("256,abc")], host: host)
        }
        #expect(throws: SynthLabError.pluginFailed(plugin: "ctgan", operation: "create", message: "batch_size 505 is not a multiple of pac 10")) {
            _ = try PluginInstance(registry.plugin("ctgan"), values: ["batch_size": .int(505)], host: host)
        }
        #expect(throws: SynthLabError.pluginFailed(plugin: "tvae", operation: "create", message:
            "parameter 'compress_dims': '' is not a comma-separated list of layer widths (each 1 to 65536), e.g. \"256,256\"")) {
            _ = try PluginInstance(registry.plugin("tvae"), values: ["compress_dims": .string("")], host: host)
        }
    }

    /// In the REPL: save(model, path) writes a model file, load_model(path) brings it back; the
    /// loaded model samples the same rows under the same seed.
    @Test func theREPLSavesAndLoadsModels() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder()
        #expect(shell.type(#"ins = load("\#(Support.data("insurance.csv"))")"#))
        #expect(shell.type("m = fit(tvae(epochs: 3, batch_size: 100), ins, seed: 4)"), Comment(rawValue: shell.errors))
        #expect(shell.type(#"save(m, "\#(folder)/ins.model")"#), Comment(rawValue: shell.errors))
        #expect(shell.type(#"m2 = load_model("\#(folder)/ins.model")"#), Comment(rawValue: shell.errors))
        #expect(shell.result("m").contains("tvae(epochs: 3, batch_size: 100) fitted on ins (seed 4)"), Comment(rawValue: shell.output))
        #expect(shell.result("m2") == "tvae(epochs: 3, batch_size: 100) read from \(folder)/ins.model, fitted on 1338 rows (seed 4)\n", Comment(rawValue: shell.output))
        #expect(shell.type(#"a = sample(m, rows: 30, to: "\#(folder)/a.csv")"#) && shell.type(#"b = sample(m2, rows: 30, to: "\#(folder)/b.csv")"#))
        #expect(try String(contentsOfFile: folder + "/a.csv", encoding: .utf8) == (try String(contentsOfFile: folder + "/b.csv", encoding: .utf8)))
        // The statistical generators save theirs too.
        #expect(shell.type(#"save(fit(bayesian_network, ins, seed: 1), "\#(folder)/bn.model")"#), Comment(rawValue: shell.errors))
        #expect(shell.type(#"c = sample(load_model("\#(folder)/bn.model"), rows: 30, to: "\#(folder)/c.csv")"#), Comment(rawValue: shell.errors))
        #expect(shell.type(#"d = sample(fit(bayesian_network, ins, seed: 1), rows: 30, to: "\#(folder)/d.csv")"#))
        #expect(try String(contentsOfFile: folder + "/c.csv", encoding: .utf8) == (try String(contentsOfFile: folder + "/d.csv", encoding: .utf8)))
        // A private model read back says what its fit spent, and so do its samples' provenance files.
        #expect(shell.type(#"save(fit(bayesian_network(degree: 1) with laplace(epsilon: 0.5), ins, seed: 2), "\#(folder)/pb.model")"#))
        #expect(shell.type(#"pb = load_model("\#(folder)/pb.model")"#), Comment(rawValue: shell.errors))
        #expect(shell.result("pb").contains("bayesian_network(degree: 1) read from \(folder)/pb.model, fitted on 1338 rows (seed 2, spent ε = 0.5)"), Comment(rawValue: shell.output))
        #expect(shell.type(#"e = sample(pb, rows: 20, to: "\#(folder)/e.csv")"#), Comment(rawValue: shell.errors))
        #expect(try String(contentsOfFile: folder + "/e.csv.provenance.json", encoding: .utf8).contains(#""epsilon" : 0.5"#))
        #expect(shell.result(#"load_model("\#(folder)/a.csv")"#).contains("is not a SynthLab model file"))
        #expect(shell.result(#"save(3, "\#(folder)/x.csv")"#).contains("expected a table or a fitted model, got an integer"))
    }

    /// Both compose with dp_sgd (the *gradient* capability): the run spends the planned ε, and a
    /// plan over the budget is refused before training.
    @Test(arguments: ["ctgan", "tvae"])
    func trainsUnderDPSGD(_ id: String) throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let progress = Progress()
        let host = HostServices(seed: 21, progress: { _, message in if let message { progress.messages.append(message) } })
        var values: [String: ParameterValue] = ["epochs": .int(id == "ctgan" ? 1 : 3), "batch_size": .int(100)]
        if id == "ctgan" { values["pac"] = .int(1) }
        let privacy = try PluginInstance(registry.plugin("dp_sgd"), values: ["epsilon": .float(2), "delta": .float(1e-6)], host: host)
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin(id), values: values, host: host), privacy: privacy)
        try session.fit(Self.adult, host: host)
        let spent = try #require(session.privacySpent)
        #expect(spent.epsilon <= 2 && spent.epsilon > 1.98 && spent.delta == 1e-6, "\(spent)")
        // Each epoch reports the ε spent so far, rising to the total.
        let reported = progress.values("epsilon")
        #expect(!reported.isEmpty && zip(reported, reported.dropFirst()).allSatisfy { $0 < $1 } && abs(reported.last! - spent.epsilon) < 1e-3)
        expectValid(try session.sample(rows: 500, host: host), like: Self.adult, "\(id) with dp_sgd", anyMissing: true)

        let noisy = try PluginInstance(registry.plugin("dp_sgd"), values: ["epsilon": .float(1), "noise_multiplier": .float(0.3)], host: host)
        let refused = try GeneratorSession(generator: try PluginInstance(registry.plugin(id), values: values, host: host), privacy: noisy)
        do {
            try refused.fit(Self.adult, host: host)
            Issue.record("a plan over the budget was not refused")
        } catch {
            #expect("\(error)".contains("would spend ε =") && "\(error)".contains("over the budget ε = 1"), "\(error)")
        }
        #expect(refused.privacySpent?.epsilon == 0)
    }

    /// Hosts set pac 1 when composing (the descriptor's composed value); a host that did not
    /// still cannot train packs under DP-SGD.
    @Test func ctganUnderDPSGDNeedsOneRowPerExample() throws {
        let registry = PluginRegistry(searchPath: [try Support.pluginFolder()])
        let host = HostServices(seed: 1)
        let privacy = try PluginInstance(registry.plugin("dp_sgd"), values: ["epsilon": .float(1)], host: host)
        let session = try GeneratorSession(generator: try PluginInstance(registry.plugin("ctgan"), host: host), privacy: privacy)
        #expect(throws: SynthLabError.pluginFailed(plugin: "ctgan", operation: "fit", message:
            "ctgan with dp_sgd needs pac: 1 (a pack would mix several people in one example), got pac: 10")) {
            try session.fit(Self.adult, host: host)
        }
    }
}
