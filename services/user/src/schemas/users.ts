import { Type, type Static } from 'typebox';
import { cursorPattern } from '../domain/cursor';

export const ObjectId = Type.String({ pattern: '^[0-9a-f]{24}$', description: '24-hex id' });
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const Role = Type.Union([Type.Literal('customer'), Type.Literal('admin')]);

export const User = Type.Object(
  { id: ObjectId, email: Email, role: Role, createdAt: Type.String({ format: 'date-time' }) },
  { additionalProperties: false },
);
export type UserDto = Static<typeof User>;

export const UserParams = Type.Object({ id: ObjectId }, { additionalProperties: false });

export const ListUsersQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ pattern: cursorPattern, description: 'nextCursor of the previous page' })),
    role: Type.Optional(Role),
  },
  { additionalProperties: false },
);

export const UserPage = Type.Object(
  { items: Type.Array(User), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);

export const ChangeRoleBody = Type.Object({ role: Role }, { additionalProperties: false });
