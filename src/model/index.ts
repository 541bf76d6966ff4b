// Leaf module: shared types and data formats; imports no other stage.
export * from './kinds.js';
export * from './format.js';
export * from './static.js';
