import Foundation
import SynthKit
import SynthMath
import SynthNN

/// CTGAN (Xu, Skoularidou, Cuesta-Infante and Veeramachaneni, "Modeling Tabular Data using
/// Conditional GAN", NeurIPS 2019), as the authors' reference implementation trains it:
/// - data: mode-specific normalization of numeric columns and one-hot categories (`TabularCoder`);
/// - a conditional vector with training-by-sampling on log frequencies (`ConditionVector`);
/// - generator: residual blocks (linear, batch norm, ReLU, concatenated with their input), then a
///   linear layer; tanh on scalars and Gumbel-softmax (τ = 0.2) on modes and categories;
/// - discriminator over `pac` packed rows: linear, LeakyReLU(0.2), dropout(0.5) per hidden layer,
///   then one output; WGAN loss with gradient penalty (λ = 10) on per-pack interpolates;
/// - the generator's loss adds the cross-entropy of the conditioned column's span;
/// - Adam (lr 2e-4, betas 0.5 and 0.9, weight decay 1e-6) for both networks.
/// Sampling conditions each row on a category drawn with its frequency (the paper's mixture back to
/// P(row)), with batch norm on the running statistics; `sample_by_frequency: false` and
/// `sample_batch_statistics: true` sample as ctgan 0.12 does (log-frequency conditions, batch statistics).
public struct CTGANGenerator: ConditionalGenerator, PersistentGenerator {
    public static let descriptor = PluginDescriptor(
        id: "ctgan",
        name: "CTGAN",
        version: "1.5.0",
        kind: .generator,
        summary: "Conditional GAN with mode-specific normalization and training-by-sampling (Xu et al. 2019).",
        parameters: [
            .int("epochs", default: 300, min: 1, max: 1_000_000, help: "Passes over the training rows."),
            .int("batch_size", default: 500, min: 2, max: 1_000_000, help: "Rows per training step; a multiple of pac."),
            .int("embedding_dim", default: 128, min: 1, max: 65_536, help: "Width of the generator's noise input."),
            .string("generator_dim", default: "256,256", help: "Widths of the generator's residual blocks, comma-separated."),
            .string("discriminator_dim", default: "256,256", help: "Widths of the discriminator's hidden layers, comma-separated."),
            .float("generator_lr", default: 2e-4, min: 0, max: 1, help: "Adam learning rate of the generator."),
            .float("generator_decay", default: 1e-6, min: 0, max: 1, help: "Adam weight decay (L2) of the generator."),
            .float("discriminator_lr", default: 2e-4, min: 0, max: 1, help: "Adam learning rate of the discriminator."),
            .float("discriminator_decay", default: 1e-6, min: 0, max: 1, help: "Adam weight decay (L2) of the discriminator."),
            .float("beta1", default: 0.5, min: 0, max: 1, help: "Adam's first-moment decay, both networks."),
            .float("beta2", default: 0.9, min: 0, max: 1, help: "Adam's second-moment decay, both networks."),
            .int("discriminator_steps", default: 1, min: 1, max: 100, help: "Discriminator updates per generator update."),
            .int("pac", default: 10, min: 1, max: 1000, help: "Rows the discriminator judges together (PacGAN); composed with dp_sgd it is 1, so that each example is one row."),
            .bool("log_frequency", default: true, help: "Pick training conditions by log frequency (else by frequency)."),
            .bool("sample_by_frequency", default: true,
                  help: "Pick generation conditions by frequency, as the paper mixes them back (else as in training, as ctgan 0.12 does)."),
            .bool("sample_batch_statistics", default: false,
                  help: "Sample with batch norm on each generated batch's statistics, as ctgan 0.12 does (else on the running ones from training)."),
            .float("gumbel_tau", default: 0.2, min: 0.001, max: 100, help: "Temperature of the Gumbel-softmax on modes and categories."),
            .float("gradient_penalty", default: 10, min: 0, max: 1e6, help: "Weight λ of the WGAN-GP gradient penalty."),
            .float("leaky_relu_slope", default: 0.2, min: 0, max: 1, help: "Negative slope of the discriminator's LeakyReLU."),
            .float("dropout", default: 0.5, min: 0, max: 0.99, help: "Dropout probability in the discriminator."),
            .int("max_modes", default: 10, min: 1, max: 100, help: "Most Gaussian modes per numeric column."),
            .float("mode_weight_threshold", default: 0.005, min: 0, max: 1, help: "Modes lighter than this are dropped."),
            .float("point_mass_share", default: 0.5, min: 0.01, max: 1,
                   help: "A numeric column's value held by at least this share of its present values (capital-gain's 0) is a mode of its own, decoded exactly; 1 turns this off."),
            PublicBounds.parameter,
            PublicCategories.parameter,
        ],
        capabilities: [Capability.privacyGradient],
        samplesConditionally: true,
        savesModels: true,
        // DP-SGD clips each example's gradient: an example must be one row, not a pack of ten.
        composedParameters: ["pac": .int(1)])

    struct Settings {
        var epochs: Int, batchSize: Int, embedding: Int
        var generatorWidths: [Int], discriminatorWidths: [Int]
        var generatorLR: Float, generatorDecay: Float, discriminatorLR: Float, discriminatorDecay: Float
        var beta1: Float, beta2: Float
        var discriminatorSteps: Int, pac: Int, logFrequency: Bool, tau: Float, lambda: Float, slope: Float, dropout: Float
        var sampleByFrequency: Bool, sampleBatchStatistics: Bool
        var maxModes: Int, weightThreshold: Double, pointMassShare: Double
        /// Under privacy, the public ranges and categories.
        var metadata: PublicMetadata
    }

    /// What a saved model holds besides the generator's weights.
    struct Header: Codable {
        var plugin = "ctgan"
        /// 2 since generation has its own condition frequencies and batch-norm choice; absent in
        /// models saved before, which sample as they did then (as the reference samples).
        var format: Int? = 2
        var coder: TabularCoder
        var conditions: ConditionVector
        var embedding: Int
        var generatorWidths: [Int]
        var batchSize: Int
        var tau: Float

        /// How this model samples: as `settings` say, or, saved by ctgan 1.0.0, as it did then.
        func sampling(_ settings: Settings) -> (byFrequency: Bool, batchStatistics: Bool) {
            format == nil ? (false, true) : (settings.sampleByFrequency, settings.sampleBatchStatistics)
        }
    }

    final class Model {
        let header: Header
        let generator: Sequential
        init(header: Header, generator: Sequential) {
            self.header = header
            self.generator = generator
        }
    }

    let settings: Settings
    var model: Model?

    public init(parameters: Parameters, context: PluginContext) throws {
        settings = Settings(
            epochs: parameters.int("epochs"), batchSize: parameters.int("batch_size"), embedding: parameters.int("embedding_dim"),
            generatorWidths: try parseWidths(parameters.string("generator_dim"), parameter: "generator_dim"),
            discriminatorWidths: try parseWidths(parameters.string("discriminator_dim"), parameter: "discriminator_dim"),
            generatorLR: Float(parameters.float("generator_lr")), generatorDecay: Float(parameters.float("generator_decay")),
            discriminatorLR: Float(parameters.float("discriminator_lr")), discriminatorDecay: Float(parameters.float("discriminator_decay")),
            beta1: Float(parameters.float("beta1")), beta2: Float(parameters.float("beta2")),
            discriminatorSteps: parameters.int("discriminator_steps"), pac: parameters.int("pac"),
            logFrequency: parameters.bool("log_frequency"), tau: Float(parameters.float("gumbel_tau")),
            lambda: Float(parameters.float("gradient_penalty")), slope: Float(parameters.float("leaky_relu_slope")),
            dropout: Float(parameters.float("dropout")),
            sampleByFrequency: parameters.bool("sample_by_frequency"), sampleBatchStatistics: parameters.bool("sample_batch_statistics"),
            maxModes: parameters.int("max_modes"), weightThreshold: parameters.float("mode_weight_threshold"),
            pointMassShare: parameters.float("point_mass_share"),
            metadata: try PublicMetadata(parameters))
        guard settings.batchSize % settings.pac == 0 else {
            throw PluginError.invalidArgument("batch_size \(settings.batchSize) is not a multiple of pac \(settings.pac)")
        }
    }

    static func makeGenerator(inputs: Int, widths: [Int], outputs: Int, random: inout Philox) -> Sequential {
        var layers: [Layer] = []
        var width = inputs
        for hidden in widths {
            layers.append(Residual(width, hidden, random: &random))
            width += hidden
        }
        layers.append(Linear(width, outputs, random: &random))
        return Sequential(layers)
    }

    public mutating func fit(_ table: Table, context: PluginContext) throws {
        guard table.rowCount > 0 else { throw PluginError.invalidArgument("ctgan needs at least one training row") }
        var gradientPrivacy: GradientPrivacyClient?
        if let privacy = context.privacy {
            guard let gradient = privacy.gradient else {
                throw PluginError.unsupported("ctgan: the composed privacy mechanism does not offer \(Capability.privacyGradient)")
            }
            guard settings.pac == 1 else {
                throw PluginError.invalidArgument("ctgan with dp_sgd needs pac: 1 (a pack would mix several people in one example), got pac: \(settings.pac)")
            }
            gradientPrivacy = gradient
        }
        let table = try settings.metadata.apply(to: table, plugin: "ctgan", context: context)
        let s = settings
        var encodeRandom = context.random("ctgan.encode")
        var mixtureRandom = context.random("ctgan.mixture")
        let coder = try TabularCoder(fitting: table, maxModes: s.maxModes, weightThreshold: s.weightThreshold, pointMassShare: s.pointMassShare,
                                     publicBounds: gradientPrivacy != nil ? s.metadata.bounds : nil, random: &mixtureRandom, context: context)
        let n = table.rowCount
        let encoded = try coder.encode(table, random: &encodeRandom)
        // Under privacy the conditions are drawn from public information only: a column, then one
        // of its categories, uniformly.
        let conditions = ConditionVector(coder: coder, encoded: encoded, rows: n, logFrequency: s.logFrequency, uniform: gradientPrivacy != nil)
        let spans = coder.spans

        var initRandom = context.random("ctgan.init")
        let generator = Self.makeGenerator(inputs: s.embedding + conditions.width, widths: s.generatorWidths, outputs: coder.width,
                                           random: &initRandom)
        var discriminatorLayers: [Layer] = []
        var width = s.pac * (coder.width + conditions.width)
        for (index, hidden) in s.discriminatorWidths.enumerated() {
            discriminatorLayers.append(Linear(width, hidden, random: &initRandom))
            discriminatorLayers.append(Activation(.leakyRelu(s.slope)))
            discriminatorLayers.append(Dropout(s.dropout, random: initRandom.derive("dropout.\(index)")))
            width = hidden
        }
        discriminatorLayers.append(Linear(width, 1, random: &initRandom))
        let discriminator = Sequential(discriminatorLayers)
        let optimizerG = Adam(generator.parameters, learningRate: s.generatorLR, beta1: s.beta1, beta2: s.beta2, weightDecay: s.generatorDecay)
        let optimizerD = Adam(discriminator.parameters, learningRate: s.discriminatorLR, beta1: s.beta1, beta2: s.beta2,
                              weightDecay: s.discriminatorDecay)

        var random = context.random("ctgan.train")
        if let gradientPrivacy {
            try trainPrivately(gradientPrivacy, encoded: encoded, rows: n, conditions: conditions, spans: spans, generator: generator,
                               discriminator: discriminator, optimizers: (optimizerG, optimizerD), random: &random, context: context)
        } else {
            try train(encoded: encoded, rows: n, conditions: conditions, spans: spans, generator: generator,
                      discriminator: discriminator, optimizers: (optimizerG, optimizerD), random: &random, context: context)
        }
        model = Model(header: Header(coder: coder, conditions: conditions, embedding: s.embedding, generatorWidths: s.generatorWidths,
                                     batchSize: s.batchSize, tau: s.tau),
                      generator: generator)
    }

    /// CTGAN's training (no privacy): each step, `discriminator_steps` discriminator updates on real
    /// rows drawn by training-by-sampling against generated ones, with the WGAN-GP penalty on
    /// per-pack interpolates, then one generator update.
    private func train(encoded: [Float], rows n: Int, conditions: ConditionVector, spans: [Span], generator: Sequential,
                       discriminator: Sequential, optimizers: (g: Adam, d: Adam), random: inout Philox, context: PluginContext) throws {
        let s = settings
        let dataWidth = encoded.count / n, condWidth = conditions.width, batch = s.batchSize, pac = s.pac
        let packed = pac * (dataWidth + condWidth)
        let byCategory = RowsByCategory(conditions: conditions, encoded: encoded, rows: n, width: dataWidth)
        let stepsPerEpoch = Swift.max(n / batch, 1)
        let hasConditions = !conditions.discrete.isEmpty
        // Weights that turn the scores of fake then real packs into mean(D(fake)) − mean(D(real)).
        let packs = batch / pac
        let packSigns = Tensor(rows: 2 * packs, columns: 1, data: (0..<(2 * packs)).map { $0 < packs ? 1 / Float(packs) : -1 / Float(packs) })
        for epoch in 0..<s.epochs {
            var sumG = 0.0, sumD = 0.0, sumCond = 0.0, sumPenalty = 0.0
            for _ in 0..<stepsPerEpoch {
                try context.checkCancellation()
                for _ in 0..<s.discriminatorSteps {
                    let noise = Tensor.randn(batch, s.embedding, random: &random)
                    var c1: Tensor?, c2: Tensor?
                    let real: Tensor
                    if hasConditions {
                        let (cond, _, picks) = conditions.sampleTraining(batch, random: &random)
                        c1 = Tensor(rows: batch, columns: condWidth, data: cond)
                        // The real rows match a shuffled copy of the conditions.
                        let permutation = random.permutation(batch)
                        var shuffled = [Float](repeating: 0, count: batch * condWidth)
                        var indices = [Int](repeating: 0, count: batch)
                        for (row, source) in permutation.enumerated() {
                            for k in 0..<condWidth { shuffled[row * condWidth + k] = cond[source * condWidth + k] }
                            indices[row] = byCategory.draw(picks[source].discrete, picks[source].level, random: &random)
                        }
                        c2 = Tensor(rows: batch, columns: condWidth, data: shuffled)
                        real = gatherRows(encoded, width: dataWidth, indices)
                    } else {
                        real = gatherRows(encoded, width: dataWidth, (0..<batch).map { _ in random.nextInt(below: n) })
                    }
                    let fake = GradMode.noGrad {
                        activate(generator(withConditions(noise, c1)), spans: spans, gumbelTau: s.tau, random: &random)
                    }
                    let fakeInput = withConditions(fake, c1)
                    let realInput = withConditions(real, c2)
                    // Fake and real packs go through the discriminator as one batch: mean(D(fake)) − mean(D(real)).
                    let scores = discriminator(Tensor(rows: 2 * packs, columns: packed, data: fakeInput.data + realInput.data))
                    let lossD = (scores * packSigns).sum()
                    var total = lossD
                    if s.lambda > 0 {
                        let alphas = (0..<packs).map { _ in Float(random.nextUniform()) }
                        let alpha = Tensor(rows: batch, columns: 1, data: (0..<batch).map { alphas[$0 / pac] })
                        let interpolates = (alpha * realInput + (1 - alpha) * fakeInput).detached().requiringGrad()
                        let critic = discriminator(interpolates.reshaped(packs, packed))
                        let gradient = Autodiff.gradients(of: critic.sum(), with: [interpolates], createGraph: true)[0]
                        let norms = gradient.reshaped(packs, packed).squared().sum(axis: 1).sqrt()
                        let penalty = (norms - 1).squared().mean() * s.lambda
                        total = total + penalty
                        sumPenalty += Double(penalty.scalar)
                    }
                    optimizers.d.zeroGrad()
                    total.backward()
                    optimizers.d.step()
                    sumD += Double(lossD.scalar)
                }

                let (lossG, crossEntropy) = generatorStep(generator: generator, discriminator: discriminator, optimizer: optimizers.g,
                                                          conditions: conditions, spans: spans, random: &random)
                sumG += lossG
                sumCond += crossEntropy ?? 0
            }
            let steps = Double(stepsPerEpoch), dSteps = steps * Double(s.discriminatorSteps)
            context.progress(Double(epoch + 1) / Double(s.epochs),
                             String(format: "epoch %d/%d loss_g=%.4f loss_d=%.4f penalty=%.4f cond=%.4f", epoch + 1, s.epochs,
                                    sumG / steps, sumD / dSteps, sumPenalty / dSteps, sumCond / steps))
        }
    }

    /// One generator update (the same with or without privacy: the generator never sees real
    /// rows): noise with sampled conditions through the generator, the discriminator's score of the
    /// activated rows packed by `pac`, plus the conditional cross-entropy. Returns the loss and the
    /// cross-entropy (nil without discrete columns).
    private func generatorStep(generator: Sequential, discriminator: Sequential, optimizer: Adam, conditions: ConditionVector,
                               spans: [Span], random: inout Philox) -> (loss: Double, crossEntropy: Double?) {
        let s = settings, batch = s.batchSize
        let noise = Tensor.randn(batch, s.embedding, random: &random)
        var cond: Tensor?, mask: Tensor?
        if !conditions.discrete.isEmpty {
            let sampled = conditions.sampleTraining(batch, random: &random)
            cond = Tensor(rows: batch, columns: conditions.width, data: sampled.cond)
            mask = Tensor(rows: batch, columns: conditions.discrete.count, data: sampled.mask)
        }
        let raw = generator(withConditions(noise, cond))
        let fake = activate(raw, spans: spans, gumbelTau: s.tau, random: &random)
        let input = withConditions(fake, cond)
        var loss = -discriminator(input.reshaped(batch / s.pac, s.pac * input.columns)).mean()
        var crossEntropy: Double?
        if let cond, let mask {
            let term = conditions.crossEntropy(raw, cond: cond, mask: mask)
            crossEntropy = Double(term.scalar)
            loss = loss + term
        }
        optimizer.zeroGrad()
        Autodiff.backward(loss, into: optimizer.parameters)
        optimizer.step()
        return (Double(loss.scalar), crossEntropy)
    }

    /// DP-SGD on the discriminator (the only network that sees real rows), after DP-CTGAN: each
    /// step includes every row with the planned probability q; row i is paired with a fake row
    /// made under row i's category in a uniformly chosen discrete column, and its example loss is
    /// D(fake) − D(real) + λ(‖∇D(interpolate)‖ − 1)². Each example's gradient is clipped to the
    /// mechanism's norm before it joins the sum (the norms and the clipped sum come from one
    /// batched backward pass, the penalty's gradient of a gradient included); the sum gets its
    /// noise and the discriminator steps on sum / (q·n). The generator's steps use only the
    /// discriminator and public conditions.
    private func trainPrivately(_ privacy: GradientPrivacyClient, encoded: [Float], rows n: Int, conditions: ConditionVector,
                                spans: [Span], generator: Sequential, discriminator: Sequential, optimizers: (g: Adam, d: Adam),
                                random: inout Philox, context: PluginContext) throws {
        let s = settings
        let plan = try privacy.plan(examples: n, batchSize: s.batchSize, epochs: s.epochs)
        let q = plan.samplingRate, expected = Float(plan.samplingRate * Double(n))
        let dataWidth = encoded.count / n, condWidth = conditions.width
        let stepsPerEpoch = Swift.max(1, Int((1 / q).rounded(.up)))
        let parameters = optimizers.d.parameters
        var sumD = 0.0, sumG = 0.0, counted = 0, generatorSteps = 0
        for step in 0..<plan.steps {
            try context.checkCancellation()
            let members = poissonSample(n, rate: q, random: &random)
            var sum = parameters.map { [Float](repeating: 0, count: $0.count) }
            if !members.isEmpty {
                let rows = members.count
                // Each real row's condition: its own category in a uniformly chosen discrete column.
                var c: Tensor?
                if !conditions.discrete.isEmpty {
                    var cond = [Float](repeating: 0, count: rows * condWidth)
                    for (row, index) in members.enumerated() {
                        let d = conditions.discrete[random.nextInt(below: conditions.discrete.count)]
                        for k in 0..<d.width where encoded[index * dataWidth + d.dataStart + k] != 0 { cond[row * condWidth + d.condStart + k] = 1 }
                    }
                    c = Tensor(rows: rows, columns: condWidth, data: cond)
                }
                let noise = Tensor.randn(rows, s.embedding, random: &random)
                let fake = GradMode.noGrad { activate(generator(withConditions(noise, c)), spans: spans, gumbelTau: s.tau, random: &random) }
                let fakeInput = withConditions(fake, c)
                let realInput = withConditions(gatherRows(encoded, width: dataWidth, members), c)
                // Every example's loss in one batch: the discriminator keeps the rows apart (pac 1, no
                // batch norm), so the loss is a sum over the examples, and the factor pairs of its
                // per-example gradients give each one's norm and the clipped sum without a backward
                // pass per example (Autodiff.perExampleFactors).
                var loss = discriminator(fakeInput).sum() - discriminator(realInput).sum()
                let lossTotal = Double(loss.scalar)
                if s.lambda > 0 {
                    let alpha = (0..<rows).map { _ in Float(random.nextUniform()) }
                    let a = Tensor(rows: rows, columns: 1, data: alpha), b = Tensor(rows: rows, columns: 1, data: alpha.map { 1 - $0 })
                    let interpolate = (realInput * a + fakeInput * b).detached().requiringGrad()
                    let gradient = Autodiff.gradients(of: discriminator(interpolate).sum(), with: [interpolate], createGraph: true)[0]
                    loss = loss + (gradient.squared().sum(axis: 1).sqrt() - 1).squared().sum() * s.lambda
                }
                let factors = Autodiff.perExampleFactors(of: loss, parameters: parameters, examples: rows)
                let clip = try privacy.clipFactors(factors.squaredNorms().map { $0.squareRoot() }).map(Float.init)
                for (k, total) in factors.weightedSums(clip).enumerated() {
                    sum[k] = total.data
                }
                sumD += lossTotal / Double(rows)
                counted += 1
            }
            try setNoisyGradients(sum, of: parameters, privacy: privacy, expectedBatch: expected)
            optimizers.d.step()

            if (step + 1) % s.discriminatorSteps == 0 {
                sumG += generatorStep(generator: generator, discriminator: discriminator, optimizer: optimizers.g,
                                      conditions: conditions, spans: spans, random: &random).loss
                generatorSteps += 1
            }
            if let epoch = finishedEpoch(step: step, of: plan.steps, perEpoch: stepsPerEpoch) {
                context.progress(Double(step + 1) / Double(plan.steps),
                                 String(format: "epoch %d/%d loss_g=%.4f loss_d=%.4f epsilon=%.4f sigma=%.4f", epoch, s.epochs,
                                        generatorSteps > 0 ? sumG / Double(generatorSteps) : .nan, counted > 0 ? sumD / Double(counted) : .nan,
                                        context.privacy?.spent.epsilon ?? 0, plan.noiseMultiplier))
                sumD = 0
                sumG = 0
                counted = 0
                generatorSteps = 0
            }
        }
    }

    /// Activated generator output for `rows` rows, in batches of the training batch size with
    /// the conditions `conditionsFor` gives each batch.
    private func generate(_ model: Model, rows: Int, random: inout Philox, context: PluginContext,
                          conditionsFor: (inout Philox) -> [Float]) throws -> [Float] {
        let h = model.header
        let batch = h.batchSize
        var out: [Float] = []
        out.reserveCapacity((rows / batch + 1) * batch * h.coder.width)
        var made = 0
        model.generator.isTraining = model.header.sampling(settings).batchStatistics
        defer { model.generator.isTraining = true }
        try GradMode.noGrad {
            while made < rows {
                try context.checkCancellation()
                let noise = Tensor.randn(batch, h.embedding, random: &random)
                var input = noise
                if h.conditions.width > 0 {
                    input = Tensor.concatColumns([noise, Tensor(rows: batch, columns: h.conditions.width, data: conditionsFor(&random))])
                }
                let fake = activate(model.generator(input), spans: h.coder.spans, gumbelTau: h.tau, random: &random)
                out.append(contentsOf: fake.data)
                made += batch
            }
        }
        return Array(out.prefix(rows * h.coder.width))
    }

    public mutating func sample(rows: Int, context: PluginContext) throws -> Table {
        guard let model else { throw PluginError.state("sample() called before fit()") }
        var random = context.random("ctgan.sample")
        let data = try generate(model, rows: rows, random: &random, context: context) {
            model.header.conditions.sampleGeneration(model.header.batchSize, byFrequency: model.header.sampling(settings).byFrequency, random: &$0)
        }
        return try model.header.coder.decode(data, rows: rows, random: &random)
    }

    /// Rows given a category: the generator is conditioned on it, and rows whose decoded value
    /// differs are rejected (the reference's sampling from conditions), up to 100 rounds.
    public mutating func sample(rows: Int, where column: String, equals value: String, context: PluginContext) throws -> Table {
        guard let model else { throw PluginError.state("sample() called before fit()") }
        let h = model.header
        let (index, level) = try h.coder.category(column: column, value: value)
        guard let d = h.conditions.discrete.firstIndex(where: { $0.column == index }) else {
            throw PluginError.invalidArgument("column '\(column)' is not a discrete column of the model")
        }
        let layout = h.coder.columns[index]
        var random = context.random("ctgan.sample.conditional")
        let kept = try rejectionSample(rows: rows, batch: h.batchSize, width: h.coder.width, span: (layout.start, layout.width), level: level,
                                       plugin: "ctgan", condition: "\(column) = \(value)",
                                       advice: "train for more epochs, so that the generator learns to follow its condition") { want in
            try generate(model, rows: want, random: &random, context: context) { _ in h.conditions.fixed(h.batchSize, discrete: d, level: level) }
        }
        return try h.coder.decode(kept, rows: rows, random: &random)
    }

    public func saveState(context: PluginContext) throws -> [UInt8] {
        guard let model else { throw PluginError.state("save() called before fit(): there is no model to save") }
        return try ModelArchive.write(model.header, network: model.generator)
    }

    public mutating func loadState(_ bytes: [UInt8], context: PluginContext) throws {
        let (header, weights) = try ModelArchive.header(Header.self, in: bytes, plugin: "ctgan")
        var random = Philox(seed: 0)
        let generator = Self.makeGenerator(inputs: header.embedding + header.conditions.width, widths: header.generatorWidths,
                                           outputs: header.coder.width, random: &random)
        try ModelArchive.loadWeights(weights, into: generator, plugin: "ctgan")
        model = Model(header: header, generator: generator)
    }
}

/// Data rows followed by their conditions (the data alone without discrete columns).
func withConditions(_ data: Tensor, _ cond: Tensor?) -> Tensor {
    guard let cond else { return data }
    return Tensor.concatColumns([data, cond])
}
