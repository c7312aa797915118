import Foundation
import SynthKit
import SynthMath
import SynthNN

/// TVAE (Xu et al. 2019, §5.1), as the authors' reference implementation trains it: the data as
/// CTGAN encodes it (`TabularCoder`); an encoder of ReLU layers (128, 128) to the mean and log
/// variance of a 128-wide latent; a decoder of ReLU layers (128, 128) to one output per encoded
/// column, with a learned σ per column (started at 0.1, kept in [0.01, 1]). The loss per batch is
/// `loss_factor` (2) × the reconstruction loss (Gaussian with σ on the tanh of each scalar,
/// cross-entropy on each mode and category span), summed over the batch, plus the KL divergence to
/// N(0, I), both divided by the batch size; Adam (lr 1e-3) with L2 1e-5. Sampling decodes standard
/// normal latents, draws each scalar from N(tanh output, σ²) and takes the argmax of each span's
/// logits (see `generate` for why not of their tanh, as the reference does).
public struct TVAEGenerator: ConditionalGenerator, PersistentGenerator {
    public static let descriptor = PluginDescriptor(
        id: "tvae",
        name: "TVAE",
        version: "1.3.0",
        kind: .generator,
        summary: "Variational autoencoder for tables with mode-specific normalization (Xu et al. 2019).",
        parameters: [
            .int("epochs", default: 300, min: 1, max: 1_000_000, help: "Passes over the training rows."),
            .int("batch_size", default: 500, min: 1, max: 1_000_000, help: "Rows per training step."),
            .int("embedding_dim", default: 128, min: 1, max: 65_536, help: "Width of the latent space."),
            .string("compress_dims", default: "128,128", help: "Widths of the encoder's hidden layers, comma-separated."),
            .string("decompress_dims", default: "128,128", help: "Widths of the decoder's hidden layers, comma-separated."),
            .float("l2scale", default: 1e-5, min: 0, max: 1, help: "Adam weight decay (L2)."),
            .float("loss_factor", default: 2, min: 0, max: 1e6, help: "Weight of the reconstruction loss against the KL divergence."),
            .float("learning_rate", default: 1e-3, min: 0, max: 1, help: "Adam learning rate."),
            .int("max_modes", default: 10, min: 1, max: 100, help: "Most Gaussian modes per numeric column."),
            .float("mode_weight_threshold", default: 0.005, min: 0, max: 1, help: "Modes lighter than this are dropped."),
            .float("point_mass_share", default: 0.5, min: 0.01, max: 1,
                   help: "A numeric column's value held by at least this share of its present values (capital-gain's 0) is a mode of its own, decoded exactly; 1 turns this off."),
            PublicBounds.parameter,
            PublicCategories.parameter,
        ],
        capabilities: [Capability.privacyGradient],
        samplesConditionally: true,
        savesModels: true)

    /// The decoder: ReLU layers to the raw outputs, and the learned σ of each output column.
    final class Decoder: Layer {
        let network: Sequential
        let sigma: Tensor
        var isTraining = true { didSet { network.isTraining = isTraining } }

        init(latent: Int, widths: [Int], outputs: Int, random: inout Philox) {
            var (layers, width) = reluLayers(from: latent, widths: widths, random: &random)
            layers.append(Linear(width, outputs, random: &random))
            network = Sequential(layers)
            sigma = Tensor.full(1, outputs, 0.1).requiringGrad()
        }

        func callAsFunction(_ input: Tensor) -> Tensor { network(input) }

        /// Keeps σ in [0.01, 1] after each optimizer step, as the reference does.
        func clampSigma() { sigma.assign(sigma.data.map { Swift.min(1, Swift.max(0.01, $0)) }) }

        var namedParameters: [(name: String, tensor: Tensor)] {
            network.namedParameters.map { ("network.\($0.name)", $0.tensor) } + [("sigma", sigma)]
        }
    }

    struct Header: Codable {
        var plugin = "tvae"
        var coder: TabularCoder
        var embedding: Int
        var decoderWidths: [Int]
        var batchSize: Int
    }

    final class Model {
        let header: Header
        let decoder: Decoder
        init(header: Header, decoder: Decoder) {
            self.header = header
            self.decoder = decoder
        }
    }

    let epochs: Int, batchSize: Int, embedding: Int
    let encoderWidths: [Int], decoderWidths: [Int]
    let l2: Float, lossFactor: Float, learningRate: Float
    let maxModes: Int, weightThreshold: Double, pointMassShare: Double
    /// Under privacy, the public ranges and categories.
    let metadata: PublicMetadata
    var model: Model?

    public init(parameters: Parameters, context: PluginContext) throws {
        epochs = parameters.int("epochs")
        batchSize = parameters.int("batch_size")
        embedding = parameters.int("embedding_dim")
        encoderWidths = try parseWidths(parameters.string("compress_dims"), parameter: "compress_dims")
        decoderWidths = try parseWidths(parameters.string("decompress_dims"), parameter: "decompress_dims")
        l2 = Float(parameters.float("l2scale"))
        lossFactor = Float(parameters.float("loss_factor"))
        learningRate = Float(parameters.float("learning_rate"))
        maxModes = parameters.int("max_modes")
        weightThreshold = parameters.float("mode_weight_threshold")
        pointMassShare = parameters.float("point_mass_share")
        metadata = try PublicMetadata(parameters)
    }

    public mutating func fit(_ table: Table, context: PluginContext) throws {
        guard table.rowCount > 0 else { throw PluginError.invalidArgument("tvae needs at least one training row") }
        var gradientPrivacy: GradientPrivacyClient?
        if let privacy = context.privacy {
            guard let gradient = privacy.gradient else {
                throw PluginError.unsupported("tvae: the composed privacy mechanism does not offer \(Capability.privacyGradient)")
            }
            gradientPrivacy = gradient
        }
        let table = try metadata.apply(to: table, plugin: "tvae", context: context)
        var encodeRandom = context.random("tvae.encode")
        var mixtureRandom = context.random("tvae.mixture")
        let coder = try TabularCoder(fitting: table, maxModes: maxModes, weightThreshold: weightThreshold, pointMassShare: pointMassShare,
                                     publicBounds: gradientPrivacy != nil ? metadata.bounds : nil, random: &mixtureRandom, context: context)
        let n = table.rowCount, d = coder.width
        let encoded = try coder.encode(table, random: &encodeRandom)

        var initRandom = context.random("tvae.init")
        let (encoderLayers, width) = reluLayers(from: d, widths: encoderWidths, random: &initRandom)
        let encoder = Sequential(encoderLayers)
        let toMean = Linear(width, embedding, random: &initRandom)
        let toLogVariance = Linear(width, embedding, random: &initRandom)
        let decoder = Decoder(latent: embedding, widths: decoderWidths, outputs: d, random: &initRandom)
        let optimizer = Adam(encoder.parameters + toMean.parameters + toLogVariance.parameters + decoder.parameters,
                             learningRate: learningRate, weightDecay: l2)

        var random = context.random("tvae.train")
        if let gradientPrivacy {
            try trainPrivately(gradientPrivacy, encoded: encoded, rows: n, width: d, encoder: encoder, heads: (toMean, toLogVariance),
                               decoder: decoder, optimizer: optimizer, spans: coder.spans, random: &random, context: context)
        } else {
            try train(encoded: encoded, rows: n, width: d, encoder: encoder, heads: (toMean, toLogVariance), decoder: decoder,
                      optimizer: optimizer, spans: coder.spans, random: &random, context: context)
        }
        model = Model(header: Header(coder: coder, embedding: embedding, decoderWidths: decoderWidths, batchSize: batchSize),
                      decoder: decoder)
    }

    /// TVAE's training (no privacy): shuffled batches, the last one partial, each one Adam step on
    /// loss_factor × reconstruction / rows + KL / rows.
    private func train(encoded: [Float], rows n: Int, width d: Int, encoder: Sequential, heads: (mean: Linear, logVariance: Linear),
                       decoder: Decoder, optimizer: Adam, spans: [Span], random: inout Philox, context: PluginContext) throws {
        for epoch in 0..<epochs {
            let order = random.permutation(n)
            var sumLoss = 0.0, sumReconstruction = 0.0, sumKL = 0.0, batches = 0
            for begin in stride(from: 0, to: n, by: batchSize) {
                try context.checkCancellation()
                let x = gatherRows(encoded, width: d, order[begin..<Swift.min(n, begin + batchSize)])
                let hidden = encoder(x)
                let mean = heads.mean(hidden), logVariance = heads.logVariance(hidden)
                let z = Tensor.randn(x.rows, embedding, random: &random) * (logVariance * 0.5).exp() + mean
                let reconstructed = decoder(z)
                let lossReconstruction = Self.reconstructionLoss(x, reconstructed, sigma: decoder.sigma, spans: spans) * lossFactor / Float(x.rows)
                let lossKL = Loss.klStandardNormal(mean: mean, logVariance: logVariance)
                let loss = lossReconstruction + lossKL
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
                decoder.clampSigma()
                sumLoss += Double(loss.scalar)
                sumReconstruction += Double(lossReconstruction.scalar)
                sumKL += Double(lossKL.scalar)
                batches += 1
            }
            let b = Double(batches)
            context.progress(Double(epoch + 1) / Double(epochs),
                             String(format: "epoch %d/%d loss=%.4f reconstruction=%.4f kl=%.4f", epoch + 1, epochs,
                                    sumLoss / b, sumReconstruction / b, sumKL / b))
        }
    }

    /// The reconstruction loss summed over rows: for each scalar column Σ (x − tanh r)²/(2σ²) +
    /// rows · log σ, for each span the cross-entropy of its logits against the one-hot data.
    static func reconstructionLoss(_ x: Tensor, _ reconstructed: Tensor, sigma: Tensor, spans: [Span]) -> Tensor {
        var loss = Tensor(scalar: 0)
        for span in spans where span.activation == .tanh {
            let range = span.start..<(span.start + 1)
            let s = sigma.columns(range)
            let squares = (x.columns(range) - reconstructed.columns(range).tanh()).squared().sum()
            loss = loss + squares / (s.squared() * 2) + s.log() * Float(x.rows)
        }
        for span in spans where span.activation == .softmax {
            let range = span.start..<(span.start + span.width)
            loss = loss - (reconstructed.columns(range).logSoftmax() * x.columns(range)).sum()
        }
        return loss
    }

    /// DP-SGD (Abadi et al. 2016) through the *gradient* capability: each step includes every row
    /// with the planned probability q; every Linear layer's per-example gradients come from its
    /// input and the per-example errors at its output (one backward pass of the summed loss), σ's
    /// per-example gradient in closed form; each row's whole gradient is clipped to the mechanism's
    /// norm, the clipped sum gets its noise, and the optimizer steps on sum / (q·n).
    private func trainPrivately(_ privacy: GradientPrivacyClient, encoded: [Float], rows n: Int, width d: Int, encoder: Sequential,
                                heads: (mean: Linear, logVariance: Linear), decoder: Decoder, optimizer: Adam, spans: [Span],
                                random: inout Philox, context: PluginContext) throws {
        let plan = try privacy.plan(examples: n, batchSize: batchSize, epochs: epochs)
        let q = plan.samplingRate, expected = Float(plan.samplingRate * Double(n))
        let scalarSpans = spans.filter { $0.activation == .tanh }
        let stepsPerEpoch = Swift.max(1, Int((1 / q).rounded(.up)))
        var sumLoss = 0.0, lossSteps = 0
        for step in 0..<plan.steps {
            try context.checkCancellation()
            let members = poissonSample(n, rate: q, random: &random)
            var linears: [(layer: Linear, input: Tensor, output: Tensor)] = []
            func through(_ network: Sequential, _ input: Tensor) -> Tensor {
                var h = input
                for layer in network.layers {
                    if let linear = layer as? Linear {
                        let output = linear(h)
                        linears.append((linear, h, output))
                        h = output
                    } else {
                        h = layer(h)
                    }
                }
                return h
            }
            // Each parameter's clipped sum, in the order of `optimizer.parameters`.
            var clipped: [ObjectIdentifier: [Float]] = [:]
            let sigma = decoder.sigma
            if !members.isEmpty {
                let rows = members.count
                let x = gatherRows(encoded, width: d, members)
                let hidden = through(encoder, x)
                let mean = heads.mean(hidden), logVariance = heads.logVariance(hidden)
                linears.append((heads.mean, hidden, mean))
                linears.append((heads.logVariance, hidden, logVariance))
                let z = Tensor.randn(rows, embedding, random: &random) * (logVariance * 0.5).exp() + mean
                let reconstructed = through(decoder.network, z)
                // The loss summed over rows (each row's loss is separate: no batch statistics).
                let reconstruction = Self.reconstructionLoss(x, reconstructed, sigma: sigma, spans: spans)
                let total = reconstruction * lossFactor + Loss.klStandardNormalSum(mean: mean, logVariance: logVariance)
                sumLoss += Double(total.scalar) / Double(rows)
                lossSteps += 1
                let errors = Autodiff.gradients(of: total, with: linears.map(\.output))
                // σ's per-example gradient: loss factor × (1/σ − (x − tanh r)²/σ³) on scalar columns.
                var sigmaGrads = [Float](repeating: 0, count: rows * d)
                let tanhR = GradMode.noGrad { reconstructed.tanh() }
                for span in scalarSpans {
                    let j = span.start, sj = sigma.data[j]
                    for row in 0..<rows {
                        let e = x.data[row * d + j] - tanhR.data[row * d + j]
                        sigmaGrads[row * d + j] = lossFactor * (1 / sj - e * e / (sj * sj * sj))
                    }
                }
                var squaredNorms = [Double](repeating: 0, count: rows)
                for (entry, error) in zip(linears, errors) {
                    for (row, value) in PerExampleGradients.linearSquaredNorms(input: entry.input, outputGradient: error).enumerated() {
                        squaredNorms[row] += Double(value)
                    }
                }
                for row in 0..<rows {
                    for span in scalarSpans { let g = Double(sigmaGrads[row * d + span.start]); squaredNorms[row] += g * g }
                }
                let factors = try privacy.clipFactors(squaredNorms.map { $0.squareRoot() })
                let scales = factors.map(Float.init)
                for (entry, error) in zip(linears, errors) {
                    let (weight, bias) = PerExampleGradients.linearWeightedSum(input: entry.input, outputGradient: error, scales: scales)
                    clipped[ObjectIdentifier(entry.layer.weight)] = weight.data
                    clipped[ObjectIdentifier(entry.layer.bias)] = bias.data
                }
                var sigmaSum = [Float](repeating: 0, count: d)
                for row in 0..<rows { for k in 0..<d { sigmaSum[k] += scales[row] * sigmaGrads[row * d + k] } }
                clipped[ObjectIdentifier(sigma)] = sigmaSum
            }
            // Every parameter's clipped sum (zeros for an empty batch), noised as one vector.
            let sums = optimizer.parameters.map { clipped[ObjectIdentifier($0)] ?? [Float](repeating: 0, count: $0.count) }
            try setNoisyGradients(sums, of: optimizer.parameters, privacy: privacy, expectedBatch: expected)
            optimizer.step()
            decoder.clampSigma()
            if let epoch = finishedEpoch(step: step, of: plan.steps, perEpoch: stepsPerEpoch) {
                context.progress(Double(step + 1) / Double(plan.steps),
                                 String(format: "epoch %d/%d loss=%.4f epsilon=%.4f sigma=%.4f", epoch, epochs,
                                        lossSteps > 0 ? sumLoss / Double(lossSteps) : .nan, context.privacy?.spent.epsilon ?? 0,
                                        plan.noiseMultiplier))
                sumLoss = 0
                lossSteps = 0
            }
        }
    }

    /// Decoded output for `rows` rows (n × width), in batches: tanh of each scalar, the raw logits
    /// of each span. (The reference takes tanh of the logits too; in Float32 tanh rounds every
    /// logit above about 9 to 1, and the argmax of such ties falls on the span's first category,
    /// which made rare categories such as adult's "Married-AF-spouse" common.)
    private func generate(_ model: Model, rows: Int, random: inout Philox, context: PluginContext) throws -> [Float] {
        let h = model.header
        let width = h.coder.width
        let scalars = h.coder.spans.filter { $0.activation == .tanh }.map(\.start)
        model.decoder.isTraining = false
        var out: [Float] = []
        out.reserveCapacity(rows * width)
        var made = 0
        try GradMode.noGrad {
            while made < rows {
                try context.checkCancellation()
                let count = Swift.min(h.batchSize, rows - made)
                var batch = model.decoder(Tensor.randn(count, h.embedding, random: &random)).data
                for row in 0..<count { for j in scalars { batch[row * width + j] = Foundation.tanh(batch[row * width + j]) } }
                out.append(contentsOf: batch)
                made += count
            }
        }
        return out
    }

    public mutating func sample(rows: Int, context: PluginContext) throws -> Table {
        guard let model else { throw PluginError.state("sample() called before fit()") }
        var random = context.random("tvae.sample")
        let data = try generate(model, rows: rows, random: &random, context: context)
        return try model.header.coder.decode(data, rows: rows, sigmas: model.decoder.sigma.data, random: &random)
    }

    /// Rows given a category, by rejection: decoded rows with another value are dropped, for at most
    /// 100 rounds.
    public mutating func sample(rows: Int, where column: String, equals value: String, context: PluginContext) throws -> Table {
        guard let model else { throw PluginError.state("sample() called before fit()") }
        let h = model.header
        let (index, level) = try h.coder.category(column: column, value: value)
        let layout = h.coder.columns[index]
        var random = context.random("tvae.sample.conditional")
        let kept = try rejectionSample(rows: rows, batch: h.batchSize, width: h.coder.width, span: (layout.start, layout.width), level: level,
                                       plugin: "tvae", condition: "\(column) = \(value)",
                                       advice: "tvae samples given a category by keeping the rows that have it, of 100 batches at most, "
                                           + "while ctgan and gaussian_copula generate each row under it (bayesian_network keeps them too, "
                                           + "of ten million draws or more)") { want in
            try generate(model, rows: want, random: &random, context: context)
        }
        return try h.coder.decode(kept, rows: rows, sigmas: model.decoder.sigma.data, random: &random)
    }

    public func saveState(context: PluginContext) throws -> [UInt8] {
        guard let model else { throw PluginError.state("save() called before fit(): there is no model to save") }
        return try ModelArchive.write(model.header, network: model.decoder)
    }

    public mutating func loadState(_ bytes: [UInt8], context: PluginContext) throws {
        let (header, weights) = try ModelArchive.header(Header.self, in: bytes, plugin: "tvae")
        var random = Philox(seed: 0)
        let decoder = Decoder(latent: header.embedding, widths: header.decoderWidths, outputs: header.coder.width, random: &random)
        try ModelArchive.loadWeights(weights, into: decoder, plugin: "tvae")
        model = Model(header: header, decoder: decoder)
    }
}

/// Linear layers of the given widths, each followed by a ReLU, and the width they end with.
func reluLayers(from inputs: Int, widths: [Int], random: inout Philox) -> (layers: [Layer], width: Int) {
    var layers: [Layer] = []
    var width = inputs
    for hidden in widths {
        layers.append(Linear(width, hidden, random: &random))
        layers.append(Activation(.relu))
        width = hidden
    }
    return (layers, width)
}

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer { exportPlugins(CTGANGenerator.self, TVAEGenerator.self) }
