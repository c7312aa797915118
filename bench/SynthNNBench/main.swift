// One CTGAN training step on the Adult census table's encoded width, timed: the discriminator
// step with the WGAN-GP gradient penalty, then the generator step. bench/ctgan_step_torch.py is
// the same step in PyTorch; bench/ctgan-step.sh runs both and prints the ratio.
import Foundation
import SynthMath
import SynthNN

// Adult as CTGAN encodes it: 6 continuous columns, each a scalar (tanh) and 10 modes (softmax),
// then the categorical columns one-hot (workclass with missing, education, marital-status,
// occupation with missing, relationship, race, sex, native-country with missing, income).
let continuous = 6, modes = 10
let discrete = [9, 16, 7, 15, 6, 5, 2, 42, 2]
let dataWidth = continuous * (1 + modes) + discrete.reduce(0, +)   // 170
let condWidth = discrete.reduce(0, +)                                // 104
let batch = 500, pac = 10, embedding = 128, hidden = 256

// synthnn-bench [STEPS] [--default-malloc]: the allocator is set as the synthlab executable sets
// it at startup, unless --default-malloc asks for glibc's defaults (to measure what that setting
// is worth).
let arguments = CommandLine.arguments
let defaultMalloc = arguments.contains("--default-malloc")
if !defaultMalloc { Allocator.keepFreedMemory() }
let steps = arguments.count > 1 ? Int(arguments[1]) ?? 20 : 20
let warmup = 3

var random = Philox(seed: 0)
let generator = Sequential([
    Residual(embedding + condWidth, hidden, random: &random),
    Residual(embedding + condWidth + hidden, hidden, random: &random),
    Linear(embedding + condWidth + 2 * hidden, dataWidth, random: &random),
])
let discriminatorInput = pac * (dataWidth + condWidth)
// Weights that turn the scores of fake then real packs into mean(D(fake)) − mean(D(real)).
let packs = batch / pac
let packSigns = Tensor(rows: 2 * packs, columns: 1, data: (0..<(2 * packs)).map { $0 < packs ? 1 / Float(packs) : -1 / Float(packs) })
let discriminator = Sequential([
    Linear(discriminatorInput, hidden, random: &random), Activation(.leakyRelu(0.2)), Dropout(0.5, random: random.derive("d1")),
    Linear(hidden, hidden, random: &random), Activation(.leakyRelu(0.2)), Dropout(0.5, random: random.derive("d2")),
    Linear(hidden, 1, random: &random),
])
let optimizerG = Adam(generator.parameters, learningRate: 2e-4, beta1: 0.5, beta2: 0.9, weightDecay: 1e-6)
let optimizerD = Adam(discriminator.parameters, learningRate: 2e-4, beta1: 0.5, beta2: 0.9, weightDecay: 1e-6)

/// CTGAN's output activation: tanh on each scalar, Gumbel-softmax (τ = 0.2) on each one-hot span,
/// in one fused operation (as the plugin does).
let spans: [ActivationSpan] = {
    var spans: [ActivationSpan] = []
    var start = 0
    for _ in 0..<continuous {
        spans.append(ActivationSpan(start: start, width: 1, kind: .tanh))
        spans.append(ActivationSpan(start: start + 1, width: modes, kind: .softmax))
        start += 1 + modes
    }
    for width in discrete {
        spans.append(ActivationSpan(start: start, width: width, kind: .softmax))
        start += width
    }
    return spans
}()

@MainActor func activate(_ raw: Tensor, random: inout Philox) -> Tensor {
    raw.spanActivation(spans, gumbelTau: 0.2, random: &random)
}

/// The conditional vector: one chosen category of one chosen discrete column per row, and the mask
/// of which column was chosen.
@MainActor func conditions(random: inout Philox) -> (cond: Tensor, mask: Tensor, picked: [(column: Int, level: Int)]) {
    var cond = [Float](repeating: 0, count: batch * condWidth)
    var mask = [Float](repeating: 0, count: batch * discrete.count)
    var picked: [(Int, Int)] = []
    for row in 0..<batch {
        let column = random.nextInt(below: discrete.count)
        let level = random.nextInt(below: discrete[column])
        let offset = discrete[..<column].reduce(0, +)
        cond[row * condWidth + offset + level] = 1
        mask[row * discrete.count + column] = 1
        picked.append((column, level))
    }
    return (Tensor(rows: batch, columns: condWidth, data: cond), Tensor(rows: batch, columns: discrete.count, data: mask), picked)
}

/// CTGAN's conditional loss: cross-entropy of each discrete span against the chosen level, for
/// the rows whose condition is on that column (one fused operation, as the plugin does).
let discreteSpans: [Range<Int>] = discrete.indices.map { index in
    let start = continuous * (1 + modes) + discrete[..<index].reduce(0, +)
    return start..<(start + discrete[index])
}
let conditionStarts = discrete.indices.map { discrete[..<$0].reduce(0, +) }

@MainActor func conditionLoss(_ raw: Tensor, _ cond: Tensor, _ mask: Tensor) -> Tensor {
    Loss.spanCrossEntropy(raw, spans: discreteSpans, targets: cond, targetStarts: conditionStarts, weights: mask) / Float(batch)
}

@MainActor func realBatch(random: inout Philox) -> Tensor {
    // Encoded rows: scalars in (-1, 1), one active mode and one active category per span.
    var data = [Float](repeating: 0, count: batch * dataWidth)
    for row in 0..<batch {
        var start = 0
        for _ in 0..<continuous {
            data[row * dataWidth + start] = Float(random.nextUniform() * 2 - 1)
            data[row * dataWidth + start + 1 + random.nextInt(below: modes)] = 1
            start += 1 + modes
        }
        for width in discrete {
            data[row * dataWidth + start + random.nextInt(below: width)] = 1
            start += width
        }
    }
    return Tensor(rows: batch, columns: dataWidth, data: data)
}

/// The inputs of one step, made before the clock starts (as in the PyTorch script).
struct StepInputs {
    let c1: Tensor, noise: Tensor, real: Tensor, alphaPacks: [Float], c2: Tensor, mask: Tensor, noise2: Tensor
}

@MainActor func stepInputs(_ random: inout Philox) -> StepInputs {
    let (c1, _, _) = conditions(random: &random)
    let (c2, mask, _) = conditions(random: &random)
    return StepInputs(c1: c1, noise: Tensor.randn(batch, embedding, random: &random), real: realBatch(random: &random),
                      alphaPacks: (0..<packs).map { _ in Float(random.nextUniform()) },
                      c2: c2, mask: mask, noise2: Tensor.randn(batch, embedding, random: &random))
}

@MainActor func step(_ inputs: StepInputs, _ random: inout Philox) -> (Float, Float) {
    // Discriminator.
    let c1 = inputs.c1, noise = inputs.noise, real = inputs.real
    let fake = GradMode.noGrad { activate(generator(Tensor.concatColumns([noise, c1])), random: &random) }
    let fakeInput = Tensor.concatColumns([fake, c1])
    let realInput = Tensor.concatColumns([real, c1])
    // Fake and real packs through the discriminator as one batch.
    let scores = discriminator(Tensor(rows: 2 * packs, columns: discriminatorInput, data: fakeInput.data + realInput.data))
    // Gradient penalty on interpolates, one mixing weight per pack.
    let alphaPacks = inputs.alphaPacks
    let alpha = Tensor(rows: batch, columns: 1, data: (0..<batch).map { alphaPacks[$0 / pac] })
    let interpolates = (alpha * realInput + (1 - alpha) * fakeInput).detached().requiringGrad()
    let critic = discriminator(interpolates.reshaped(packs, discriminatorInput))
    let gradient = Autodiff.gradients(of: critic.sum(), with: [interpolates], createGraph: true)[0]
    let penalty = ((gradient.reshaped(packs, discriminatorInput).squared().sum(axis: 1)).sqrt() - 1).squared().mean() * 10
    let lossD = (scores * packSigns).sum()
    optimizerD.zeroGrad()
    (penalty + lossD).backward()
    optimizerD.step()

    // Generator.
    let c2 = inputs.c2, mask = inputs.mask, noise2 = inputs.noise2
    let raw = generator(Tensor.concatColumns([noise2, c2]))
    let activated = activate(raw, random: &random)
    let yFake2 = discriminator(Tensor.concatColumns([activated, c2]).reshaped(packs, discriminatorInput))
    let lossG = conditionLoss(raw, c2, mask) - yFake2.mean()
    optimizerG.zeroGrad()
    Autodiff.backward(lossG, into: optimizerG.parameters)
    optimizerG.step()
    return (lossD.scalar + penalty.scalar, lossG.scalar)
}

var stream = Philox(seed: 1)
let warmupInputs = (0..<warmup).map { _ in stepInputs(&stream) }
let timedInputs = (0..<steps).map { _ in stepInputs(&stream) }
for inputs in warmupInputs { _ = step(inputs, &stream) }
let start = DispatchTime.now().uptimeNanoseconds
var last = (Float(0), Float(0))
for inputs in timedInputs { last = step(inputs, &stream) }
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print(String(format: "synthnn: %.2f ms per step (%d steps, width %d, cond %d, batch %d, pac %d", seconds / Double(steps) * 1000, steps,
             dataWidth, condWidth, batch, pac) + (defaultMalloc ? ", default malloc" : "")
      + String(format: "); losses D %.4f G %.4f", last.0, last.1))
