import { IsBoolean, IsOptional, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { MAX_NAME_LENGTH } from '../registry-vocabulary';
import { IsEntityId } from './entity-id';

/** PATCH /zones/{id}: only the fields given change; `parentId: null` makes it a top-level zone. */
export class UpdateZoneDto {
  @ValidateIf((o: UpdateZoneDto) => o.name !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_NAME_LENGTH)
  name?: string;

  @IsOptional()
  @IsEntityId()
  parentId?: string | null;

  @ValidateIf((o: UpdateZoneDto) => o.closed !== undefined)
  @IsBoolean()
  closed?: boolean;
}
