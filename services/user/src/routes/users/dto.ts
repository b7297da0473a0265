import type { User } from '../../domain/user';
import type { UserDto } from '../../schemas/users';

/** The public view of a user: never the password hash, dates as ISO strings. */
export function toUserDto(user: User): UserDto {
  return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt.toISOString() };
}
