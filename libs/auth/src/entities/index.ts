import { DeviceCredentialEntity } from './device-credential.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { UserEntity } from './user.entity';

export { DeviceCredentialEntity, RefreshTokenEntity, UserEntity };

/** The entities AuthModule registers (for openTestDatabase({ entities }) and the like). */
export const AUTH_ENTITIES = [UserEntity, RefreshTokenEntity, DeviceCredentialEntity] as const;
