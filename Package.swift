// swift-tools-version:6.0
import PackageDescription

// Plugins bind their own references to their own copies of SynthKit and SynthMath
// (`-Bsymbolic`), so a plugin never calls into the host's or another plugin's copy.
let pluginLinkerSettings: [LinkerSetting] = [.unsafeFlags(["-Xlinker", "-Bsymbolic"])]

// The numerical core is compiled with optimization in every configuration: the tests train real
// models, and unoptimized array loops would be a hundred times slower.
let numericSettings: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "SynthLab",
    products: [
        .executable(name: "synthlab", targets: ["synthlab"]),
        .library(name: "SynthKit", targets: ["SynthKit"]),
        .library(name: "SynthLab", targets: ["SynthLab"]),
        .library(name: "SynthNN", targets: ["SynthNN"]),
        .library(name: "SynthMetrics", targets: ["SynthMetrics"]),
        // Built-in plugins: ordinary plugins, one shared library each.
        .library(name: "synth_independent", type: .dynamic, targets: ["IndependentGenerator"]),
        .library(name: "synth_laplace", type: .dynamic, targets: ["LaplacePrivacy"]),
        .library(name: "synth_dp_sgd", type: .dynamic, targets: ["DPSGDPrivacy"]),
        .library(name: "synth_gaussian", type: .dynamic, targets: ["GaussianPrivacy"]),
        .library(name: "synth_gaussian_copula", type: .dynamic, targets: ["GaussianCopulaGenerator"]),
        .library(name: "synth_bayesian_network", type: .dynamic, targets: ["BayesianNetworkGenerator"]),
        .library(name: "synth_classification", type: .dynamic, targets: ["ClassificationGenerator"]),
        .library(name: "synth_neural", type: .dynamic, targets: ["NeuralGenerators"]),
        .library(name: "synth_column_shapes", type: .dynamic, targets: ["ColumnShapesValidator"]),
        .library(name: "synth_validators", type: .dynamic, targets: ["Validators"]),
        .library(name: "synth_missing_rates", type: .dynamic, targets: ["MissingRatesC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The results store: SQLite (the system's libsqlite3) through GRDB.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .target(name: "CSynthABI", path: "Sources/CSynthABI"),
        // OpenBLAS and LAPACKE from the system (libopenblas-dev, liblapacke-dev).
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .target(name: "SynthMath", dependencies: ["COpenBLAS"], path: "Sources/SynthMath", swiftSettings: numericSettings),
        // The deep-learning core: tensors, reverse-mode autodiff (gradients of gradients), layers,
        // optimizers, per-example gradients.
        .target(name: "SynthNN", dependencies: ["SynthMath", "COpenBLAS"], path: "Sources/SynthNN", swiftSettings: numericSettings),
        // The system's zlib, for CSV files compressed with gzip.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "SynthKit", dependencies: ["CSynthABI", "SynthMath", "CZlib"], path: "Sources/SynthKit", swiftSettings: numericSettings),
        .target(name: "SynthLab", dependencies: ["SynthKit", "CSynthABI", "SynthMath", "SynthMetrics", .product(name: "GRDB", package: "GRDB.swift")],
                path: "Sources/SynthLab"),
        // What the validator plugins compute: fidelity statistics, SDMetrics' quality score,
        // classifiers (logistic regression, histogram gradient boosting), record distances.
        .target(name: "SynthMetrics", dependencies: ["SynthKit", "SynthMath"], path: "Sources/SynthMetrics", swiftSettings: numericSettings),
        // The session language of the REPL and of scripts: parsing, evaluation, completion, output.
        .target(name: "SynthShell", dependencies: ["SynthLab", "SynthKit", "SynthMath", "SynthMetrics"], path: "Sources/SynthShell"),
        // The system's libedit, and a non-variadic C face over it for Swift.
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "CLineEdit", dependencies: ["CEditLine"], path: "Sources/CLineEdit", linkerSettings: [.linkedLibrary("edit")]),
        // prctl(PR_SET_PDEATHSIG) for worker processes (variadic in C, so behind a function).
        .target(name: "CProcess", path: "Sources/CProcess"),
        .executableTarget(
            name: "synthlab",
            dependencies: ["SynthLab", "SynthShell", "SynthMath", "CLineEdit", "CProcess", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/synthlab"),

        .target(name: "IndependentGenerator", dependencies: ["SynthKit"], path: "Plugins/Independent",
                linkerSettings: pluginLinkerSettings),
        .target(name: "GaussianCopulaGenerator", dependencies: ["SynthKit", "SynthMath"], path: "Plugins/GaussianCopula",
                swiftSettings: numericSettings, linkerSettings: pluginLinkerSettings),
        .target(name: "BayesianNetworkGenerator", dependencies: ["SynthKit", "SynthMath"], path: "Plugins/BayesianNetwork",
                swiftSettings: numericSettings, linkerSettings: pluginLinkerSettings),
        .target(name: "ClassificationGenerator", dependencies: ["SynthKit", "SynthMath"], path: "Plugins/Classification",
                swiftSettings: numericSettings, linkerSettings: pluginLinkerSettings),
        // ctgan and tvae in one library: they share the data transformer.
        .target(name: "NeuralGenerators", dependencies: ["SynthKit", "SynthMath", "SynthNN"], path: "Plugins/Neural",
                swiftSettings: numericSettings, linkerSettings: pluginLinkerSettings),
        .target(name: "LaplacePrivacy", dependencies: ["SynthKit"], path: "Plugins/Laplace",
                linkerSettings: pluginLinkerSettings),
        .target(name: "DPSGDPrivacy", dependencies: ["SynthKit", "SynthMath"], path: "Plugins/DPSGD",
                swiftSettings: numericSettings, linkerSettings: pluginLinkerSettings),
        .target(name: "GaussianPrivacy", dependencies: ["SynthKit", "SynthMath"], path: "Plugins/Gaussian",
                linkerSettings: pluginLinkerSettings),
        .target(name: "ColumnShapesValidator", dependencies: ["SynthKit", "SynthMetrics"], path: "Plugins/ColumnShapes",
                linkerSettings: pluginLinkerSettings),
        // fidelity, quality, utility, augmentation, bias, detection and privacy_risk in one library.
        .target(name: "Validators", dependencies: ["SynthKit", "SynthMath", "SynthMetrics"], path: "Plugins/Validators",
                swiftSettings: numericSettings, linkerSettings: pluginLinkerSettings),
        // A plugin in plain C: it includes only the ABI header and links nothing of ours.
        .target(name: "MissingRatesC", dependencies: ["CSynthABI"], path: "Plugins/MissingRatesC", publicHeadersPath: "."),

        // bench/ctgan-step.sh: one CTGAN training step, side by side with PyTorch.
        .executableTarget(name: "synthnn-bench", dependencies: ["SynthNN", "SynthMath"], path: "bench/SynthNNBench"),
        // bench/validators.py: the distance-to-closest-record search, timed.
        .executableTarget(name: "synthmetrics-bench", dependencies: ["SynthMetrics", "SynthKit", "SynthMath"],
                          path: "bench/SynthMetricsBench", swiftSettings: numericSettings),

        .testTarget(name: "SynthMathTests", dependencies: ["SynthMath"], path: "Tests/SynthMathTests", exclude: ["Fixtures"]),
        .testTarget(name: "SynthNNTests", dependencies: ["SynthNN", "SynthMath", "SynthKit"], path: "Tests/SynthNNTests"),
        .testTarget(name: "SynthKitTests", dependencies: ["SynthKit"], path: "Tests/SynthKitTests"),
        .testTarget(name: "SynthMetricsTests", dependencies: ["SynthMetrics", "SynthKit", "SynthMath"], path: "Tests/SynthMetricsTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "SynthLabTests", dependencies: ["SynthLab", "SynthKit", "SynthShell"], path: "Tests/SynthLabTests",
                    exclude: ["Fixtures"]),
    ]
)
