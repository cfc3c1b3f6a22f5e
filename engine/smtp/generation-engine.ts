// One SMTP engine per graph generation (placeholder until the session code lands).
import type { RoutingGraph } from '../graph/types.js';
import type { EngineServices, GenerationEngine } from './engine-api.js';

export function createGenerationEngine(graph: RoutingGraph, services: EngineServices): GenerationEngine {
  void graph;
  void services;
  throw new Error('RG_ENGINE_NOT_READY: the SMTP engine is being written');
}
