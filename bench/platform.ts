/** The deployables of `npm run up` with their HTTP ports and npm workspaces (see README). */
export const deployables = [
  { name: 'gateway', port: 3000, workspace: 'gateway' },
  { name: 'user', port: 3001, workspace: 'services/user' },
  { name: 'product', port: 3002, workspace: 'services/product' },
  { name: 'order', port: 3003, workspace: 'services/order' },
  { name: 'inventory', port: 3004, workspace: 'services/inventory' },
] as const;

export type Deployable = (typeof deployables)[number]['name'];
