export * from './topics';
export * from './user';
export * from './product';
export * from './order';
export * from './inventory';
export * from './catalogue';
