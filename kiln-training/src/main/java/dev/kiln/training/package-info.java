/**
 * Training as a service, free of any deep-learning engine: datasets and their preprocessing ({@code data}), declarative
 * model specs ({@code spec}), the engine contract ({@code engine}), evaluation ({@code eval}), export to ONNX ({@code
 * export}) and asynchronous jobs ({@code job}).
 */
package dev.kiln.training;
