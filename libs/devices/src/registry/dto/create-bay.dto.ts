import { IsOptional } from 'class-validator';
import { IsEntityId } from './entity-id';

/** POST /bays; `cameraId` names an existing device (a camera may watch bays of several zones) (optional: a bay may have none yet). */
export class CreateBayDto {
  @IsEntityId()
  id!: string;

  @IsEntityId()
  zoneId!: string;

  @IsOptional()
  @IsEntityId()
  cameraId?: string | null;
}
