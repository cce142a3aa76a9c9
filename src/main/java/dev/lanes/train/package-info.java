/**
 * Training: {@link dev.lanes.train.Trainer} (compile + fit + evaluate), {@link dev.lanes.train.FitOptions},
 * {@link dev.lanes.train.History}, {@link dev.lanes.train.Callback}s ({@link dev.lanes.train.EarlyStopping},
 * {@link dev.lanes.train.ProgressLogger}, {@link dev.lanes.train.LearningRateScheduler}),
 * {@link dev.lanes.train.Metric}s, the {@link dev.lanes.train.ConfusionMatrix} (with precision, recall and F1),
 * {@link dev.lanes.train.RocAuc} and
 * {@link dev.lanes.train.GradientCheck}.
 *
 * <pre>{@code
 * try (Sequential model = Sequential.builder(2).seed(1)
 *          .add(new Dense(8, Activation.tanh())).add(new Dense(1, Activation.sigmoid())).build();
 *      Trainer trainer = new Trainer(model, Loss.binaryCrossEntropy(), new Adam(0.05f), Metric.accuracy())) {
 *     History history = trainer.fit(xor, labels, FitOptions.builder().epochs(300).batchSize(4).build());
 *     int[] predicted = model.predictClasses(xor);
 * }
 * }</pre>
 */
package dev.lanes.train;
